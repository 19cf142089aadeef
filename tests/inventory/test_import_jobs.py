"""Large catalogue imports as background jobs: streamed, checked, then applied all or nothing.

Tasks run eagerly (test settings); ``django_capture_on_commit_callbacks(execute=True)`` runs
the enqueue that waits for the commit. Memory and speed are measured by
``bench/import_memory.py``, not here.
"""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts import services as accounts_services
from apps.inventory import selectors, services
from apps.inventory.models import (
    ImportJob,
    ImportJobRow,
    ImportJobUndo,
    Product,
    StockMovement,
    Variant,
)
from tests.inventory.factories import CategoryFactory

pytestmark = pytest.mark.django_db

ROWS = 5_000


def _catalogue(n: int) -> list[str]:
    """``n`` variants with no stock, five to a product; returns their SKUs.

    Written in bulk: 5,000 products through ``product_create`` would take most of the time
    budget, and these tests are about the import. No stock, no ledger: the invariant holds.
    """
    category = CategoryFactory(name="Móviles", slug="moviles")
    products = Product.objects.bulk_create(
        Product(category=category, name=f"Producto {i}", slug=f"producto-{i}")
        for i in range((n + 4) // 5)
    )
    skus = [f"JOB-{i:05d}" for i in range(n)]
    Variant.objects.bulk_create(
        Variant(product=products[i // 5], sku=sku, price=Decimal("10.00"))
        for i, sku in enumerate(skus)
    )
    return skus


def _level(i: int) -> int:
    return i % 20  # every 20th row keeps 0: unchanged


def _stock_csv(tmp_path, skus: list[str], *, bad: dict[int, str] | None = None) -> bytes:
    path = tmp_path / "existencias.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("sku,on_hand\n")
        for i, sku in enumerate(skus):
            out.write(f"{sku},{(bad or {}).get(i, _level(i))}\n")
    return path.read_bytes()


def _create(content: bytes, *, name: str = "existencias.csv", kind: str = "stock", **kwargs):
    return services.import_job_create(
        kind=kind, file=SimpleUploadedFile(name, content), filename=name, **kwargs
    )


def _progress_updates(queries) -> int:
    return sum(
        1
        for query in queries
        if query["sql"].replace("`", '"').startswith('UPDATE "inventory_importjob"')
        and '"processed_rows"' in query["sql"].replace("`", '"')
    )


# --- Dry run, then apply ---------------------------------------------------------------


def test_a_5000_row_file_is_checked_in_the_background_then_applied(
    tmp_path, django_capture_on_commit_callbacks
):
    skus = _catalogue(ROWS)
    content = _stock_csv(tmp_path, skus)

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        job_id = _create(content)

    assert len(callbacks) == 1  # queued after commit, not run inline
    job = selectors.import_job_get(job_id=job_id)
    assert job.background and job.dry_run
    assert job.status == ImportJob.Status.DRY_RUN_DONE
    assert (job.total_rows, job.processed_rows) == (ROWS, ROWS)
    assert (job.new_count, job.updated_count, job.unchanged_count, job.error_count) == (
        0,
        ROWS - ROWS // 20,
        ROWS // 20,
        0,
    )
    assert job.can_confirm
    # Progress was written as it went, once per chunk, not only at the end.
    assert _progress_updates(queries.captured_queries) >= ROWS // services.IMPORT_CHUNK_ROWS
    # The dry run wrote nothing but its report.
    assert not StockMovement.objects.exists()
    assert ImportJobRow.objects.filter(job_id=job_id).count() == ROWS

    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_confirm(job_id=job_id)

    job = selectors.import_job_get(job_id=job_id)
    assert job.status == ImportJob.Status.DONE
    assert job.processed_rows == ROWS and job.percent == 100
    assert job.updated_count == ROWS - ROWS // 20 and job.error_count == 0
    assert StockMovement.objects.filter(kind="adjustment").count() == ROWS - ROWS // 20
    assert Variant.objects.get(sku=skus[7]).on_hand == 7
    assert Variant.objects.get(sku=skus[20]).on_hand == 0
    report = selectors.import_job_row_page(job_id=job_id, per_page=ROWS)
    assert [(row.row_number, row.action, row.key) for row in report.object_list[:2]] == [
        (2, "skip", skus[0]),  # the header is row 1; level 0 was already 0
        (3, "update", skus[1]),
    ]
    assert ImportJob.objects.get(pk=job_id).file.name == ""  # the upload is not kept
    # Idempotent: running a finished job again changes nothing.
    services.import_job_run(job_id=job_id, apply=True)
    assert StockMovement.objects.count() == ROWS - ROWS // 20


def test_one_bad_row_among_thousands_writes_nothing(tmp_path, django_capture_on_commit_callbacks):
    skus = _catalogue(3_000)
    content = _stock_csv(tmp_path, skus, bad={2_500: "-3"})

    with django_capture_on_commit_callbacks(execute=True):
        job_id = _create(content, dry_run=False)  # straight to the import: the check stops it

    job = selectors.import_job_get(job_id=job_id)
    assert job.status == ImportJob.Status.FAILED
    assert job.error_count == 1
    assert "No se ha guardado nada" in job.error_message
    assert not StockMovement.objects.exists()
    assert set(Variant.objects.values_list("on_hand", flat=True)) == {0}
    errors = selectors.import_job_row_page(job_id=job_id, errors_only=True)
    [row] = errors.object_list
    assert row.row_number == 2_502 and row.key == skus[2_500]
    assert row.errors == ["on_hand: El valor no puede ser menor que 0."]
    # Errors come first in the full report.
    assert selectors.import_job_row_page(job_id=job_id).object_list[0].row_number == 2_502


def test_a_row_that_fails_at_import_time_rolls_back_every_row(
    tmp_path, django_capture_on_commit_callbacks
):
    skus = _catalogue(2_100)
    content = _stock_csv(tmp_path, skus)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = _create(content)
    assert selectors.import_job_get(job_id=job_id).can_confirm
    # The shop changes between the check and the confirmation: a late SKU disappears.
    Variant.objects.filter(sku=skus[2_050]).delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_confirm(job_id=job_id)

    job = selectors.import_job_get(job_id=job_id)
    assert job.status == ImportJob.Status.FAILED
    assert "No se ha cambiado nada" in job.error_message
    # The batches written before it were restored through the ledger: every adjustment of
    # the import has its reversal, and every level is back where it was.
    applied = StockMovement.objects.filter(reason="Importación de existencias")
    undone = StockMovement.objects.filter(reason="Importación anulada")
    assert applied.count() == undone.count() > 0
    assert sum(applied.values_list("quantity", flat=True)) == -sum(
        undone.values_list("quantity", flat=True)
    )
    assert set(Variant.objects.values_list("on_hand", flat=True)) == {0}
    assert not ImportJobUndo.objects.filter(job_id=job_id).exists()  # restored, then dropped
    row = ImportJobRow.objects.get(job_id=job_id, action="error")
    assert row.row_number == 2_052
    assert ImportJobRow.objects.filter(job_id=job_id).count() == 2_100  # the report is kept


def test_a_key_repeated_chunks_apart_is_found_in_the_stored_report(tmp_path):
    skus = _catalogue(1_200)
    skus[1_100] = skus[10]  # two chunks later

    job_id = _create(_stock_csv(tmp_path, skus), background=False)

    [row] = ImportJobRow.objects.filter(job_id=job_id, action="error")
    assert row.row_number == 1_102
    assert row.errors == [f"sku: «{skus[10]}» está repetido en el archivo (ya en la fila 12)."]


def test_confirm_refuses_a_job_with_errors_or_already_done(tmp_path):
    skus = _catalogue(10)
    job_id = _create(_stock_csv(tmp_path, skus, bad={3: "x"}), background=False)
    assert selectors.import_job_get(job_id=job_id).status == ImportJob.Status.DRY_RUN_DONE
    with pytest.raises(services.ImportJobStateError):
        services.import_job_confirm(job_id=job_id)
    assert not StockMovement.objects.exists()


# --- Streaming XLSX, categories and products ------------------------------------------------


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_streamed_a_chunk_at_a_time(django_capture_on_commit_callbacks):
    skus = _catalogue(1_200)
    content = _xlsx([["sku", "on_hand"], *([sku, 5] for sku in skus), [None, None], ["NOPE", 1]])

    with django_capture_on_commit_callbacks(execute=True):
        job_id = _create(content, name="existencias.xlsx", background=True, dry_run=False)

    job = selectors.import_job_get(job_id=job_id)
    assert job.format == "xlsx"
    assert job.status == ImportJob.Status.FAILED  # the unknown SKU
    assert job.processed_rows == 1_201  # the blank row is skipped, as in the dashboard
    [row] = ImportJobRow.objects.filter(job_id=job_id, action="error")
    assert (row.row_number, row.key) == (1_203, "NOPE")
    assert row.errors == ["sku: El SKU «NOPE» no existe."]

    content = _xlsx([["sku", "on_hand"], *([sku, 5] for sku in skus)])
    with django_capture_on_commit_callbacks(execute=True):
        job_id = _create(content, name="existencias.xlsx", background=True, dry_run=False)
    assert selectors.import_job_get(job_id=job_id).status == ImportJob.Status.DONE
    assert set(Variant.objects.values_list("on_hand", flat=True)) == {5}


def test_categories_job_checks_parents_named_by_earlier_rows():
    content = (
        b"slug,name,parent\n"
        b"audio,Audio,\n"
        b"auriculares,Auriculares,audio\n"
        b"cascos,Cascos,nadie\n"
        b"altavoces,Altavoces,audio\n"
    )
    job_id = _create(content, name="categorias.csv", kind="categories", background=False)
    job = selectors.import_job_get(job_id=job_id)
    assert (job.new_count, job.error_count) == (3, 1)
    assert not ImportJobRow.objects.filter(job_id=job_id, key="auriculares", action="error")

    content = content.replace(b"cascos,Cascos,nadie\n", b"")
    job_id = _create(content, name="categorias.csv", kind="categories", background=False)
    services.import_job_confirm(job_id=job_id)
    assert selectors.import_job_get(job_id=job_id).status == ImportJob.Status.DONE
    from apps.inventory.models import Category

    assert Category.objects.get(slug="auriculares").parent.slug == "audio"


def test_products_job_uses_the_same_rules_and_messages():
    CategoryFactory(name="Móviles", slug="moviles")
    content = (
        "sku,product,category,brand,price,options\n"
        "p-1,Móvil Uno,moviles,Astra,199.90,Color: Negro\n"
        "P-2,Móvil Uno,moviles,Astra,209.90,Color: Blanco\n"
        "P-3,Otro,nada,,-1,\n"
        "p-1,Repetido,moviles,,10,\n"
    ).encode()
    job_id = _create(content, name="productos.csv", kind="products", background=False)
    rows = {row.row_number: row for row in ImportJobRow.objects.filter(job_id=job_id)}
    assert rows[2].action == "new" and rows[2].key == "P-1"
    assert rows[4].errors == [
        "category: La categoría «nada» no existe.",
        "price: El importe no puede ser negativo.",
    ]
    assert rows[5].errors == ["sku: «P-1» está repetido en el archivo (ya en la fila 2)."]
    assert not Product.objects.exists()


def test_an_unreadable_file_fails_the_job_with_the_reason():
    job_id = _create(b"sku,on_hand\n\x81\x8d,1\n", background=False)  # not even Windows-1252
    job = selectors.import_job_get(job_id=job_id)
    assert job.status == ImportJob.Status.FAILED
    assert "UTF-8" in job.error_message

    job_id = _create(b"sku,stock\nA,1\n", background=False)
    assert "Faltan columnas: on_hand" in selectors.import_job_get(job_id=job_id).error_message


# --- Pages -------------------------------------------------------------------------------


def _client_for(client, role: str):
    from django.contrib.auth import get_user_model

    user_id = accounts_services.user_create(
        email=f"{role}@example.com", password="una-clave-segura-123", role=role
    )
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def test_job_page_is_for_managers_only(client):
    job_id = _create(b"sku,on_hand\n", background=False)
    url = reverse("inventory_dashboard:import_job", args=[job_id])

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"
    customer = _client_for(client, "customer")
    assert customer.get(url).status_code == 403
    assert (
        customer.post(reverse("inventory_dashboard:import_job_confirm", args=[job_id])).status_code
        == 403
    )
    client.logout()
    manager = _client_for(client, "manager")
    assert manager.get(url).status_code == 200
    assert (
        manager.get(reverse("inventory_dashboard:import_job", args=[job_id + 1])).status_code == 404
    )


def test_large_upload_becomes_a_job_followed_on_its_page(
    client, tmp_path, django_capture_on_commit_callbacks
):
    manager = _client_for(client, "manager")
    skus = _catalogue(2_100)
    upload = io.BytesIO(_stock_csv(tmp_path, skus))
    upload.name = "existencias.csv"

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            reverse("inventory_dashboard:import"), {"kind": "stock", "file": upload}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory_dashboard:import_job", args=[job.pk])
    assert job.created_by.email == "manager@example.com"
    page = manager.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    assert "Confirmar e importar" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # the CSP: no inline script
    assert " style=" not in html  # nor inline style
    assert page.context["rows"].paginator.count == 2_100
    assert manager.get(response["Location"] + "?filas=errores").context["rows"].paginator.count == 0
    # The import page lists it.
    assert (
        f'href="{response["Location"]}"'
        in manager.get(reverse("inventory_dashboard:import")).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(reverse("inventory_dashboard:import_job_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert StockMovement.objects.filter(user__email="manager@example.com").count() == 2_100 - 105
    # Confirming twice is refused with a message, not a second import.
    response = manager.post(
        reverse("inventory_dashboard:import_job_confirm", args=[job.pk]), follow=True
    )
    assert "no se puede confirmar" in response.content.decode()


def test_a_running_job_page_refreshes_itself(client, tmp_path):
    manager = _client_for(client, "manager")
    skus = _catalogue(5)
    job_id = _create(_stock_csv(tmp_path, skus), background=True)  # not run: no commit here

    page = manager.get(reverse("inventory_dashboard:import_job", args=[job_id]))

    assert page.context["job"].status == ImportJob.Status.QUEUED
    assert '<meta http-equiv="refresh" content="2">' in page.content.decode()


def test_small_uploads_are_checked_inline_by_a_job_that_runs_now(client):
    manager = _client_for(client, "manager")
    CategoryFactory(name="Móviles", slug="moviles")
    upload = io.BytesIO(b"sku,product,category,price\nS-1,Uno,moviles,10\n")
    upload.name = "p.csv"
    response = manager.post(
        reverse("inventory_dashboard:import"), {"kind": "products", "file": upload}
    )
    assert response.status_code == 200
    assert response.context["report"].totals["new"] == 1
    job = ImportJob.objects.get()  # one engine: the small file is a job too, run here and now
    assert not job.background and job.dry_run and job.status == ImportJob.Status.DRY_RUN_DONE
    assert response.context["token"] == job.pk
    assert not Product.objects.exists()


# --- Command -----------------------------------------------------------------------------


def test_import_command_background_queues_a_job_and_prints_its_id(
    tmp_path, capsys, django_capture_on_commit_callbacks
):
    skus = _catalogue(30)
    path = tmp_path / "existencias.csv"
    path.write_bytes(_stock_csv(tmp_path, skus))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("import_catalogue", str(path), "--kind", "stock", "--background")

    assert len(callbacks) == 1
    job_id = int(capsys.readouterr().out.strip())
    job = ImportJob.objects.get(pk=job_id)
    assert job.background and job.status == ImportJob.Status.DONE
    assert Variant.objects.get(sku=skus[3]).on_hand == 3


def test_a_job_whose_worker_died_is_marked_failed_after_a_while():
    from datetime import timedelta

    from django.utils import timezone

    from apps.inventory import services as inventory_services
    from apps.inventory.models import ImportJob

    running = ImportJob.objects.create(
        kind="stock", original_filename="existencias.csv", format="csv", status="importing"
    )
    fresh = ImportJob.objects.create(
        kind="stock", original_filename="otra.csv", format="csv", status="validating"
    )
    ImportJob.objects.filter(pk=running.pk).update(updated_at=timezone.now() - timedelta(hours=3))
    assert inventory_services.import_job_fail_stale() == 1
    running.refresh_from_db()
    fresh.refresh_from_db()
    assert running.status == "failed" and "interrumpió" in running.error_message
    assert fresh.status == "validating"


# --- The job page: live progress, never a stale state ------------------------------------------


def test_a_confirmed_background_job_never_shows_the_confirm_button_again(client, tmp_path):
    manager = _client_for(client, "manager")
    skus = _catalogue(5)
    job_id = _create(_stock_csv(tmp_path, skus), background=False)  # checked here and now
    url = reverse("inventory_dashboard:import_job", args=[job_id])
    assert "Confirmar e importar" in manager.get(url).content.decode()
    ImportJob.objects.filter(pk=job_id).update(background=True)  # its import goes to a worker

    manager.post(reverse("inventory_dashboard:import_job_confirm", args=[job_id]))  # not run yet

    page = manager.get(url)
    html = page.content.decode()
    assert page.context["job"].status == ImportJob.Status.CONFIRMED
    assert "Confirmar e importar" not in html
    assert "Comprobado" not in html
    assert "Confirmado, en cola" in html
    assert '<meta http-equiv="refresh" content="2">' in html  # it follows the worker


def test_an_importing_job_shows_its_live_row_count_and_eta(client):
    from datetime import timedelta

    from django.utils import timezone

    manager = _client_for(client, "manager")
    job = ImportJob.objects.create(
        kind="stock",
        original_filename="existencias.csv",
        format="csv",
        status=ImportJob.Status.IMPORTING,
        dry_run=False,
        total_rows=50_000,
        processed_rows=20_000,
        started_at=timezone.now() - timedelta(seconds=10),
    )
    info = selectors.import_job_get(job_id=job.pk)
    assert 1_900 <= info.rows_per_second <= 2_000
    assert 14 <= info.eta_seconds <= 16  # 30,000 rows left at ~2,000 rows/s

    html = manager.get(reverse("inventory_dashboard:import_job", args=[job.pk])).content.decode()
    assert "20000 de 50000 filas (40 %)" in html
    assert re.search(r"quedan unos 1[456] s", html)
    assert "filas/s" in html
