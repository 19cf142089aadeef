"""A dirty dataset → exactly the planted rows quarantined with their reasons, the rest loaded,
the days reconciled; after the data is fixed a replay loads them once."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apps.accounts.models import User
from apps.sales.models import Order, OrderLine
from etl import selectors, services
from etl.models import FactSaleLine, Quarantine, Reconciliation, Run
from tests.etl.conftest import WAREHOUSE, at, etl_at

pytestmark = [pytest.mark.django_db(databases=WAREHOUSE), pytest.mark.usefixtures("etl_path")]


@pytest.fixture
def dirty(shop, categories):
    laptops, accessories, _ = categories
    import time_machine

    with time_machine.travel(at(2025, 5, 1, 9, 0), tick=False):
        p1 = shop.variant(name="Portátil", price="100.00", category=laptops)
        p2 = shop.variant(name="Ratón", price="20.00", category=accessories)
        customer = shop.customer("  Mixed.Case@Example.COM ")
    orders = [shop.order(at(2025, 5, 2, 10 + i, 0), customer, [(p1, 1), (p2, 1)]) for i in range(6)]
    # Planted faults (each breaks one rule; the database's own constraints allow them):
    ghost, priced, dated, blank = (Order.objects.get(number=n) for n in orders[:4])
    OrderLine.objects.filter(order=ghost, variant_id=p2).update(variant_id=999_999)
    OrderLine.objects.filter(order=priced, variant_id=p2).update(line_total=Decimal("25.00"))
    Order.objects.filter(pk=dated.pk).update(created_at=datetime(1999, 12, 31, tzinfo=UTC))
    Order.objects.filter(pk=blank.pk).update(number="")
    return {"orders": orders, "p2": p2, "ids": [ghost.pk, priced.pk, dated.pk, blank.pk]}


def _open():
    rows = Quarantine.objects.using("warehouse").filter(status="open")
    return sorted((row.entity, row.reason, row.entity_id) for row in rows)


def test_exactly_the_planted_rows_are_quarantined_with_their_reasons(dirty):
    ghost, priced, dated, blank = dirty["ids"]
    runs = {r.source: r for r in etl_at(at(2025, 6, 1))}
    assert _open() == sorted(
        [
            ("line", "unknown_product", ghost),
            ("line", "bad_amount", priced),
            ("order", "impossible_date", dated),
            ("order", "missing_key", blank),
        ]
    )
    sales = runs["sales"]
    assert (sales.read, sales.loaded, sales.quarantined) == (6, 2, 4)
    assert sales.read == sales.loaded + sales.quarantined
    raw = Quarantine.objects.using("warehouse").get(reason="unknown_product").raw
    assert raw["variant_id"] == 999_999 and raw["line_total"] == "20.00"
    loaded = set(FactSaleLine.objects.using("warehouse").values_list("order_id", flat=True))
    assert loaded.isdisjoint(dirty["ids"]) and len(loaded) == 2
    # The day reconciles: the ledger less what the quarantine holds is what was loaded.
    day = Reconciliation.objects.using("warehouse").get(date_key=20250502)
    assert day.status == "quarantined"
    assert (day.ledger_net_cents, day.quarantined_net_cents, day.warehouse_net_cents) == (
        72000,
        48000,
        24000,
    )
    assert not Reconciliation.objects.using("warehouse").filter(status="mismatch").exists()


def test_running_again_does_not_quarantine_the_same_rows_twice(dirty):
    etl_at(at(2025, 6, 1))
    etl_at(at(2025, 6, 1, 1, 0), full=True)
    assert len(_open()) == 4
    assert Quarantine.objects.using("warehouse").count() == 4


def test_replay_after_the_data_is_fixed_loads_them_once(dirty):
    ghost, priced, dated, blank = dirty["ids"]
    etl_at(at(2025, 6, 1))
    OrderLine.objects.filter(order_id=ghost, variant_id=999_999).update(variant_id=dirty["p2"])
    OrderLine.objects.filter(order_id=priced, variant_id=dirty["p2"]).update(
        line_total=Decimal("20.00")
    )
    Order.objects.filter(pk=dated).update(created_at=at(2025, 5, 2, 12, 0))
    # The order without a number stays broken.
    import time_machine

    with time_machine.travel(at(2025, 6, 2), tick=False):
        (replay,) = services.etl_replay(source="sales")
    assert (replay.kind, replay.read, replay.loaded, replay.quarantined) == ("replay", 4, 3, 0)
    assert _open() == [("order", "missing_key", blank)]
    resolved = Quarantine.objects.using("warehouse").filter(status="resolved")
    assert {row.resolved_run_id for row in resolved} == {replay.run_id} and resolved.count() == 3
    lines = FactSaleLine.objects.using("warehouse")
    assert lines.count() == 10 and lines.values("line_id").distinct().count() == 10
    with time_machine.travel(at(2025, 6, 3), tick=False):
        services.etl_replay(source="sales")
        services.etl_run(source="sales", full=True)
    assert lines.count() == 10
    assert Reconciliation.objects.using("warehouse").get(date_key=20250502).status == "quarantined"
    kpis = selectors.daily_kpis(since=at(2025, 5, 2).date(), until=at(2025, 5, 2).date())
    assert kpis[0].net == Decimal("600.00") and kpis[0].orders == 5


def test_customers_keep_no_personal_data_and_e_mails_are_normalised(dirty):
    import hashlib

    from etl.models import DimCustomer

    etl_at(at(2025, 6, 1))
    user = User.objects.get()
    customer = DimCustomer.objects.using("warehouse").get(customer_id=user.pk)
    expected = hashlib.sha256(user.email.strip().lower().encode()).hexdigest()
    assert customer.email_hash == expected
    assert customer.joined_date_key == 20250501
    fields = {f.name for f in DimCustomer._meta.get_fields()}
    assert not fields & {"email", "name", "first_name", "last_name", "phone", "password"}


def test_a_failed_rule_is_never_a_silent_drop(dirty):
    etl_at(at(2025, 6, 1))
    run = Run.objects.using("warehouse").get(source="sales")
    assert run.rows_read == run.rows_loaded + run.rows_quarantined
