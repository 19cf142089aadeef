"""The boundary rule is enforced: a deliberate violation breaks the import contracts."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

VIOLATIONS = {
    "a cross-app model import": ("apps/cart/violation.py", "from apps.inventory import models\n"),
    "etl reaching an app's models": ("etl/violation.py", "from apps.sales import models\n"),
    "an app importing a higher one": (
        "apps/inventory/violation.py",
        "from apps.sales import services\n",
    ),
    "reporting reading the shop": (
        "apps/reporting/violation.py",
        "from apps.sales import selectors\n",
    ),
    "an app importing the project package": (
        "apps/sales/violation.py",
        "from electropluz.auth import manager_auth\n",
    ),
    "another app reaching behind a services package": (
        "apps/demo/violation.py",
        "from apps.sales.services import checkout\n",
    ),
    "another app reaching behind inventory's services package": (
        "apps/sales/violation.py",
        "from apps.inventory.services import stock\n",
    ),
    "another app importing inventory's stock services module directly": (
        "apps/cart/violation.py",
        "import apps.inventory.services.stock\n",
    ),
    "inventory's services importing its resources (a layer above)": (
        "apps/inventory/services/violation.py",
        "from apps.inventory import resources\n",
    ),
}


def _copy_tree(destination: Path) -> None:
    for name in ("apps", "etl", "electropluz"):
        shutil.copytree(
            ROOT / name, destination / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / ".importlinter", destination / ".importlinter")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_a_deliberate_violation_is_caught(case, tmp_path):
    _copy_tree(tmp_path)
    assert _lint(tmp_path).returncode == 0, "the tree as committed must keep every contract"
    relative, source = VIOLATIONS[case]
    (tmp_path / relative).write_text(source)
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
