"""The demo shop builds through every app's services, once."""

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.inventory import selectors as inventory_selectors
from apps.sales import selectors as sales_selectors

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_shop_once(settings, tmp_path, capsys):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", "--products", "30", "--orders", "8")
    output = capsys.readouterr().out
    assert "gestor@electropluz.test" in output
    assert inventory_selectors.product_count() == 30
    assert sales_selectors.order_count() == 8
    call_command("seed_demo", "--if-empty")
    assert inventory_selectors.product_count() == 30
    assert sales_selectors.order_count() == 8
    # English visitors read the categories in English.
    nodes = inventory_selectors.category_tree().nodes.values()
    assert all(node.name_en for node in nodes)
    with translation.override("en"):
        assert "Laptops" in {node.name for node in nodes}


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
