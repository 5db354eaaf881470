"""Debian's chromium driven headless through Selenium, for the pages guard serves or writes.

(The extension's test starts its own browser: it loads the unpacked extension.)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest


def headless_chromium(window: str = "1000,1400", downloads: Path | None = None,
                      ) -> tuple[Any, str]:
    """(a WebDriver, its profile folder to remove afterwards); the test skips without chromium.

    With `downloads`, files the page offers are saved there without asking.
    """
    webdriver = pytest.importorskip("selenium.webdriver")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.skip("chromium / chromedriver not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="guard-chrome-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--window-size={window}",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    if downloads is not None:
        options.add_experimental_option("prefs", {
            "download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    if downloads is not None:
        driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
    return driver, profile
