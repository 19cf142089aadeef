"""S-14: a long catalogue import on the SQLite default while customers sign in and shop.

The import writes in short batches (``services.IMPORT_BATCH_ROWS`` rows a transaction), so
no customer request fails with "database is locked" and none waits long for the lock.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

SCRIPT = Path(__file__).with_name("shop_under_import.py")
ROWS = 20_000
SHOPPERS = 2
MAX_WAIT_SECONDS = 1.0


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the embedded SQLite default is the case under test"
)
def test_a_20000_row_import_never_blocks_sign_in_or_the_cart(tmp_path):
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), str(tmp_path), str(ROWS), str(SHOPPERS)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])

    assert outcome["status"] == "done", outcome
    assert outcome["rows"] == ROWS and outcome["updated"] == ROWS
    assert outcome["failures"] == [], outcome
    assert outcome["requests"] >= 20, outcome  # the shoppers really shopped during the import
    slowest, _name = outcome["slowest"][-1]
    assert slowest < MAX_WAIT_SECONDS, outcome
