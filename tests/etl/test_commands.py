"""``manage.py etl``, the Celery tasks and the beat schedule."""

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from etl import tasks
from etl.models import FactSaleLine, Run
from tests.etl.conftest import WAREHOUSE, at

pytestmark = pytest.mark.django_db(databases=WAREHOUSE)


@pytest.fixture
def orders(shop, categories):
    laptops, _, _ = categories
    with time_machine.travel(at(2025, 3, 1, 9, 0), tick=False):
        variant = shop.variant(name="Portátil", price="100.00", category=laptops)
        customer = shop.customer()
    return [shop.order(at(2025, 3, 30, 0, 30 + i), customer, [(variant, 1)]) for i in range(3)]


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    with time_machine.travel(at(2025, 4, 1), tick=False):
        call_command("etl", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_run_loads_every_source_and_status_shows_them(orders):
    output = run("run")
    assert [line.split()[0] for line in output.splitlines()] == ["users", "inventory", "sales"]
    assert "succeeded" in output and "cargados 3" in output
    assert FactSaleLine.objects.using("warehouse").count() == 3
    status = run("status")
    assert "sales" in status and "2025-03-31 22:00:00+00:00" in status


def test_run_one_source_with_a_window_and_backfill_and_replay(orders):
    output = run("run", "sales", "--since", "2025-03-30", "--until", "2025-03-31")
    assert output.startswith("sales") and "cargados 3" in output
    run_ = Run.objects.using("warehouse").get()
    assert run_.window_since == at(2025, 3, 30) and run_.window_until == at(2025, 3, 31)
    assert "backfill" in run("backfill", "--since", "2025-03-01", "--source", "sales")
    assert "replay" in run("replay", "sales")
    assert "full" in run("run", "sales", "--full")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "clientes"), "Origen desconocido"),
        (("run", "--since", "ayer"), "Fecha no válida"),
        (("run", "--since", "2025-03-02", "--until", "2025-03-01"), "anterior al final"),
        (("run", "--until", "2030-01-01"), "futuro"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Run.objects.using("warehouse").exists()


def test_the_tasks_run_their_source(orders):
    with time_machine.travel(at(2025, 4, 1), tick=False):
        result = tasks.run_sales.delay().get()
        assert tasks.run_users.delay().get()["status"] == "succeeded"
        assert tasks.run_inventory.delay().get()["status"] == "succeeded"
    assert result["status"] == "succeeded" and result["loaded"] == 3


@pytest.mark.django_db(databases=["default", "warehouse"])
def test_the_etl_schedule_is_installed_in_beat():
    tasks = {
        task.task: (task.interval.every, task.interval.period, task.enabled)
        for task in PeriodicTask.objects.filter(task__startswith="etl.")
    }
    assert tasks == {
        "etl.run_sales": (6, "hours", True),
        "etl.run_inventory": (24, "hours", True),
        "etl.run_users": (24, "hours", True),
    }
