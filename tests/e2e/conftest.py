"""A real browser (headless Chromium through Selenium) against the live test server."""

import os
import shutil
import tempfile

import pytest

CHROMIUM = (
    os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or shutil.which("chromium-browser")
)
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM and CHROMEDRIVER:
        return
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(
                pytest.mark.skip(
                    reason="needs chromium and chromedriver (apt-get install chromium chromium-driver)"
                )
            )


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--lang=es-ES",
    ):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="ep-e2e-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
