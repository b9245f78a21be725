"""Pages people look at, in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver`` packages) driven by Selenium, against a real `coursegate serve` on a copy of a
database with the demo data (the outage kit's ``sqlite_template``).

Fixtures: ``console`` (a served demo database), ``browser`` (a WebDriver whose console errors are
checked after each test), ``staff_browser`` (logged in to /admin/ as the demo staff user), and
``screenshot(name)``, which keeps a PNG under ``test-artifacts/screenshots/`` (or
``$COURSEGATE_ARTIFACTS_DIR/screenshots``) for people to look at after CI.

Without Chromium the tests are skipped, unless COURSEGATE_REQUIRE_BROWSER=1 (set by .ci/run), where
a missing browser fails them.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

# The session fixture of a migrated demo database, imported (pytest_plugins is top-level only).
from tests.core.test_outage_kit import serve, sqlite_template  # noqa: F401

CHROMIUM = os.environ.get("COURSEGATE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("COURSEGATE_CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("COURSEGATE_ARTIFACTS_DIR", Path(__file__).resolve().parents[2] / "test-artifacts"))
DEMO_STAFF = ("staff", "edx")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)


def _require_browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        needed = ", ".join(map(str, missing))
        message = f"no browser for the page tests: {needed} (apt install chromium chromium-driver)"
        if os.environ.get("COURSEGATE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def console(sqlite_template, tmp_path_factory):  # noqa: F811  (the imported fixture)
    """A `coursegate serve` on a copy of the demo database, for the whole browser session."""
    env = sqlite_template.server_env(tmp_path_factory.mktemp("console"))
    served = serve(env, sqlite_template.credentials, "--no-dispatcher", workers=2)
    yield served
    served.stop()


@pytest.fixture
def browser():
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    """The browser console's errors since the last call (SEVERE entries)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.fixture
def staff_browser(browser, console):
    from selenium.webdriver.common.by import By

    browser.get(f"{console.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys(DEMO_STAFF[0])
    browser.find_element(By.NAME, "password").send_keys(DEMO_STAFF[1])
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    assert browser.current_url.rstrip("/").endswith("/admin"), browser.page_source[:2000]
    console_errors(browser)  # start clean
    return browser


@pytest.fixture
def screenshot(request):
    """screenshot(driver, name): keep a PNG of the page as a test artifact; returns its path."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(driver, name: str) -> Path:
        path = folder / f"{test}--{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        driver.save_screenshot(str(path))
        assert path.stat().st_size > 1000, f"empty screenshot {path}"
        return path

    return take
