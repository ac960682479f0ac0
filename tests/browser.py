"""Headless Chromium from the machine's packages (chromium, chromium-driver), driven by Selenium. Nothing here
downloads a browser: the binary and its driver are named, so Selenium's driver manager is never asked."""
from __future__ import annotations

import contextlib
import os
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = os.environ.get("CLOUDFRONT_LOCAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = os.environ.get("CLOUDFRONT_LOCAL_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"


@contextlib.contextmanager
def chromium():
    """Without the browser, browser tests skip, except in CI (CI=true), where they must run: as for PostgreSQL."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are missing in CI: .ci/run installs them")
        pytest.skip("chromium and chromedriver (Debian's chromium, chromium-driver) are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
