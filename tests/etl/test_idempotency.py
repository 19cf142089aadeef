"""Re-runs leave every fact table byte-identical; a crash mid-load leaves the warehouse and
the watermark as they were, and the rerun equals a clean run; late changes are picked up."""

import threading

import pytest
import time_machine

from apps.sales import services as sales_services
from etl import services
from etl.models import FactRefund, FactSaleLine, Quarantine, Reconciliation, Run, Watermark
from etl.pipeline import runner, sales_sql, source_sales
from tests.etl.conftest import WAREHOUSE, at, etl_at

pytestmark = [pytest.mark.django_db(databases=WAREHOUSE), pytest.mark.usefixtures("etl_path")]


@pytest.fixture
def history(shop, categories, settings):
    settings.ETL_BATCH_SIZE = 2  # several batches, so a crash can fall between two
    laptops, accessories, _ = categories
    with time_machine.travel(at(2025, 3, 1, 9, 0), tick=False):
        p1 = shop.variant(name="Portátil", price="100.00", category=laptops)
        p2 = shop.variant(name="Ratón", price="20.00", category=accessories)
        customers = [shop.customer() for _ in range(3)]
    numbers = [
        shop.order(at(2025, 3, 29 + i % 3, 10 + i, 0), customers[i % 3], [(p1, 1), (p2, i % 2 + 1)])
        for i in range(7)
    ]
    shop.refund(at(2025, 4, 5, 12, 0), numbers[0], "30.00")
    return numbers


def _wipe_warehouse():
    from django.apps import apps

    for model in apps.get_app_config("etl").get_models():
        model.objects.using("warehouse").all().delete()


def test_running_the_same_window_twice_leaves_every_fact_table_identical(history):
    etl_at(at(2025, 5, 1), full=True)
    first = services.warehouse_checksums()
    etl_at(at(2025, 5, 1, 0, 10), full=True)
    etl_at(at(2025, 5, 1, 0, 20))
    assert services.warehouse_checksums() == first
    assert FactSaleLine.objects.using("warehouse").count() == 14


def test_a_crash_mid_load_changes_nothing_and_the_rerun_equals_a_clean_run(
    history, monkeypatch, etl_path
):
    if etl_path == "set-based":
        pytest.skip("crashes between batches of the Python stages; see the set-based test")
    etl_at(at(2025, 5, 1), source="users")
    etl_at(at(2025, 5, 1), source="inventory")
    real, calls = source_sales.write_batch, []

    def crashing(writer, rows):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return real(writer, rows)

    monkeypatch.setattr(source_sales, "write_batch", crashing)
    with pytest.raises(RuntimeError):
        etl_at(at(2025, 5, 1), source="sales")
    assert len(calls) == 3
    failed = Run.objects.using("warehouse").get(source="sales")
    assert failed.status == "failed" and "worker lost" in failed.error
    assert Watermark.objects.using("warehouse").get(source="sales").value is None
    for model in (FactSaleLine, FactRefund, Reconciliation, Quarantine):
        assert not model.objects.using("warehouse").exists()

    monkeypatch.setattr(source_sales, "write_batch", real)
    (rerun,) = etl_at(at(2025, 5, 1), source="sales")
    assert rerun.status == "succeeded"
    after_crash = services.warehouse_checksums(include_run=False, aggregates=True)
    assert Watermark.objects.using("warehouse").get(source="sales").value == at(2025, 5, 1)

    _wipe_warehouse()
    etl_at(at(2025, 5, 1))
    assert services.warehouse_checksums(include_run=False, aggregates=True) == after_crash


def test_an_order_changed_after_its_window_is_updated_not_duplicated(history):
    first = etl_at(at(2025, 4, 10))[-1].run_id
    line = FactSaleLine.objects.using("warehouse").filter(order_number=history[1]).first()
    assert line.status == "paid" and line.run_id == first
    with time_machine.travel(at(2025, 4, 11, 9, 0), tick=False):
        sales_services.order_transition(
            order_number=history[1], to_status="preparing", by_user_id=None
        )
    (second,) = etl_at(at(2025, 4, 11, 12, 0), source="sales")
    lines = FactSaleLine.objects.using("warehouse").filter(order_number=history[1])
    assert lines.count() == 2
    assert {(row.status, row.run_id) for row in lines} == {("preparing", second.run_id)}
    unchanged = FactSaleLine.objects.using("warehouse").exclude(order_number=history[1])
    assert set(unchanged.values_list("run_id", flat=True)) == {first}


def test_the_watermark_never_moves_back_and_a_window_after_a_gap_does_not_move_it(history):
    etl_at(at(2025, 4, 10), source="sales")
    mark = Watermark.objects.using("warehouse").get(source="sales")
    assert mark.value == at(2025, 4, 10)
    with time_machine.travel(at(2025, 4, 20), tick=False):
        services.etl_backfill(since=at(2025, 3, 1), until=at(2025, 4, 1), source="sales")
        services.etl_run(source="sales", since=at(2025, 4, 15), until=at(2025, 4, 16))
    mark.refresh_from_db()
    assert mark.value == at(2025, 4, 10)


@pytest.mark.race
@pytest.mark.postgres
@pytest.mark.django_db(databases=WAREHOUSE, transaction=True, serialized_rollback=True)
def test_two_runs_of_one_source_never_overlap(history, monkeypatch):
    inside, release = threading.Event(), threading.Event()
    real = source_sales.load

    def slow(ctx):
        inside.set()
        assert release.wait(30)
        real(ctx)

    monkeypatch.setitem(services.LOADERS, "sales", slow)
    outcome = {}

    def first():
        try:
            outcome["first"] = services.etl_run(source="sales")[0].status
        finally:
            from django.db import connections

            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(30)
    second = services.etl_run(source="sales")[0]
    release.set()
    thread.join(60)
    assert second.status == "skipped"
    assert outcome["first"] == "succeeded"
    assert isinstance(runner.SourceBusy("sales"), Exception)


def test_a_late_commit_older_than_the_watermark_is_caught_by_the_overlap(history, shop, settings):
    settings.ETL_OVERLAP_MINUTES = 30
    etl_at(at(2025, 4, 10, 12, 0), source="sales")
    customer = shop.customer()
    variant = FactSaleLine.objects.using("warehouse").first().variant_id
    # Committed after that run, stamped 10 minutes before it (a long transaction).
    late = shop.order(at(2025, 4, 10, 11, 50), customer, [(variant, 1)])
    too_late = shop.order(at(2025, 4, 10, 11, 0), customer, [(variant, 1)])
    etl_at(at(2025, 4, 10, 18, 0), source="sales")
    loaded = set(FactSaleLine.objects.using("warehouse").values_list("order_number", flat=True))
    assert late in loaded and too_late not in loaded


def test_the_batch_size_does_not_change_the_warehouse(history, settings, etl_path):
    if etl_path == "set-based":
        pytest.skip("the set-based load has no batches")
    settings.ETL_BATCH_SIZE = 2000
    etl_at(at(2025, 5, 1))
    one_batch = services.warehouse_checksums(include_run=False, aggregates=True)
    assert FactRefund.objects.using("warehouse").count() == 2
    _wipe_warehouse()
    settings.ETL_BATCH_SIZE = 1
    etl_at(at(2025, 5, 1))
    assert services.warehouse_checksums(include_run=False, aggregates=True) == one_batch


@pytest.mark.postgres
def test_a_crash_in_the_set_based_load_changes_nothing_and_the_rerun_equals_a_clean_run(
    history, monkeypatch, etl_path
):
    if etl_path != "set-based":
        pytest.skip("see the test of the Python stages")
    etl_at(at(2025, 5, 1), source="users")
    etl_at(at(2025, 5, 1), source="inventory")
    real = sales_sql.load_staged

    def crashing(writer, **kwargs):
        real(writer, **kwargs)  # everything written, then the worker is lost
        raise RuntimeError("worker lost")

    monkeypatch.setattr(sales_sql, "load_staged", crashing)
    with pytest.raises(RuntimeError):
        etl_at(at(2025, 5, 1), source="sales")
    assert Watermark.objects.using("warehouse").get(source="sales").value is None
    for model in (FactSaleLine, FactRefund, Reconciliation, Quarantine):
        assert not model.objects.using("warehouse").exists()
    monkeypatch.setattr(sales_sql, "load_staged", real)
    etl_at(at(2025, 5, 1), source="sales")
    after_crash = services.warehouse_checksums(include_run=False, aggregates=True)
    _wipe_warehouse()
    etl_at(at(2025, 5, 1))
    assert services.warehouse_checksums(include_run=False, aggregates=True) == after_crash


@pytest.mark.postgres
def test_both_ways_of_loading_write_the_same_warehouse(history, settings, etl_path):
    if etl_path != "set-based":
        pytest.skip("compares the two paths once")
    etl_at(at(2025, 5, 1))
    set_based = services.warehouse_checksums(include_run=False, aggregates=True)
    assert FactSaleLine.objects.using("warehouse").count() == 14
    _wipe_warehouse()
    settings.ETL_SET_BASED = False
    etl_at(at(2025, 5, 1))
    assert services.warehouse_checksums(include_run=False, aggregates=True) == set_based


@pytest.mark.postgres
def test_both_ways_share_shipping_and_refunds_by_largest_remainder(
    shop, categories, settings, etl_path
):
    if etl_path != "set-based":
        pytest.skip("compares the two paths once")
    laptops, _accessories, _brand = categories
    with time_machine.travel(at(2025, 3, 1, 9, 0), tick=False):
        items = [(shop.variant(name=f"Cable {n}", price="10.00", category=laptops), 1) for n in range(3)]  # fmt: skip
        customer = shop.customer()
    number = shop.order(at(2025, 3, 2, 10, 0), customer, items)  # 30.00 + 4.99 shipping
    shop.refund(at(2025, 3, 9, 10, 0), number, "7.01")
    etl_at(at(2025, 5, 1))
    lines = FactSaleLine.objects.using("warehouse").order_by("line_id")
    assert [line.shipping_cents for line in lines] == [167, 166, 166]
    refunds = FactRefund.objects.using("warehouse").order_by("line_id")
    assert [r.amount_cents for r in refunds] == [-234, -234, -233]
    set_based = services.warehouse_checksums(include_run=False, aggregates=True)
    assert not Reconciliation.objects.using("warehouse").exclude(status="ok").exists()
    _wipe_warehouse()
    settings.ETL_SET_BASED = False
    etl_at(at(2025, 5, 1))
    assert services.warehouse_checksums(include_run=False, aggregates=True) == set_based


@pytest.mark.postgres
def test_a_first_load_builds_the_fact_indexes_back(history, etl_path):
    from django.db import connections

    def indexes():
        with connections["warehouse"].cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'etl_factsaleline' ORDER BY 1"
            )
            return [row[0] for row in cursor.fetchall()]

    before = indexes()
    assert len(before) == 5
    etl_at(at(2025, 5, 1))
    assert FactSaleLine.objects.using("warehouse").count() == 14
    assert indexes() == before
