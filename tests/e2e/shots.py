"""A screenshot when a browser test fails, saved under ``var/e2e/`` with its path in the log."""

import contextlib
from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "e2e"


@contextlib.contextmanager
def screenshot_on_failure(browser, name):
    try:
        yield
    except BaseException:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        browser.save_screenshot(str(path))
        print(f"screenshot: {path}")  # the CI log shows where to look
        raise
