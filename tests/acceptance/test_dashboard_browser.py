"""The dashboard in a real browser: headless Chromium from the machine's packages, driven by Selenium. Resources
come from boto3; the browser then follows the dashboard's own links from its home page, opens a distribution's
.localhost domain (the edge answers from a real origin), watches the request appear in the live list, purges
the cache, runs a TestFunction, edits the DNS zone, and takes the screenshot the README shows.

CLOUDFRONT_LOCAL_SCREENSHOTS=DIR also keeps the screenshots in DIR (the README's is docs/dashboard.png)."""
from __future__ import annotations

import io
import os
import pathlib
import shutil
import uuid

import origin_servers
import pytest
import requests
from PIL import Image
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from browser import chromium
from builders import CACHING_OPTIMIZED, direct_config
from conftest import make_client
from serving import RunningServer

ACCOUNT = "123456789012"


class _Origin(origin_servers.Quiet):
    def do_GET(self):  # noqa: N802 - http.server's name
        origin_servers.answer(self, f"<!doctype html><title>shop</title><h1 id='origin'>the origin saw {self.path}</h1>"
                              .encode(), headers=(("Content-Type", "text/html"), ("Cache-Control", "max-age=600")))


@pytest.fixture(scope="module")
def origin():
    server = origin_servers.start(_Origin, "dashboard")
    yield server
    server.shutdown()


def _not_blank(png: bytes, path: pathlib.Path) -> None:
    """A page, not an empty canvas: many colours, and no one colour covering nearly everything."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size[0] >= 800 and image.size[1] >= 600
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50, f"{len(colours)} colours"
    assert max(count for count, _ in colours) < 0.9 * image.size[0] * image.size[1]
    path.write_bytes(png)
    keep = os.environ.get("CLOUDFRONT_LOCAL_SCREENSHOTS")
    if keep:
        shutil.copy(path, pathlib.Path(keep) / path.name)


def _wait(driver, condition, seconds: float = 15):
    # A form's POST answers 303 and the page reloads, and htmx swaps rows in: an element read mid-way is stale.
    return WebDriverWait(driver, seconds, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def test_the_dashboard_in_chromium(origin, tmp_path):
    with RunningServer() as server, chromium() as driver:
        driver.set_window_size(1400, 1000)
        client = make_client(server.url, ACCOUNT)
        name = f"shop-{uuid.uuid4().hex[:8]}.example.com"
        requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                      timeout=5).raise_for_status()
        config = direct_config(Comment="the shop <script>alert(1)</script>", Origins={"Quantity": 1, "Items": [{
            "Id": "shop", "DomainName": name, "CustomOriginConfig": {
                "HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
            DefaultCacheBehavior={"TargetOriginId": "shop", "ViewerProtocolPolicy": "allow-all",
                                  "CachePolicyId": CACHING_OPTIMIZED})
        distribution = client.create_distribution(DistributionConfig=config)["Distribution"]
        function = f"greet-{uuid.uuid4().hex[:6]}"
        client.create_function(Name=function, FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                               FunctionCode=b"function handler(event) { console.log('saw ' + event.request.uri);"
                                            b" event.request.headers['x-greeting'] = {value: 'hello'};"
                                            b" return event.request; }")

        # From the home page, by the dashboard's own links, to the distribution.
        driver.get(server.url + "/_cloudfront-local/")
        assert "cloudfront-local" in driver.title
        driver.find_element(By.LINK_TEXT, "Distributions").click()
        driver.find_element(By.LINK_TEXT, distribution["Id"]).click()
        assert driver.find_element(By.TAG_NAME, "h1").text == distribution["DomainName"]
        page = driver.page_source
        assert "<script>alert(1)</script>" not in page and "alert(1)" in driver.find_element(
            By.ID, "document").find_element(By.XPATH, "..").text  # the comment, shown as text
        assert driver.execute_script("return typeof htmx") == "object"  # the vendored script loaded
        details = driver.current_window_handle

        # Its .localhost domain: a real viewer request through the edge to the origin, in a new tab.
        domain = driver.find_element(By.CSS_SELECTOR, "ul.domains a")
        assert ".cloudfront.localhost:" in domain.get_attribute("href")
        domain.click()
        _wait(driver, lambda d: len(d.window_handles) == 2)
        driver.switch_to.window([h for h in driver.window_handles if h != details][0])
        assert _wait(driver, expected_conditions.presence_of_element_located((By.ID, "origin"))).text == \
            "the origin saw /"
        driver.close()
        driver.switch_to.window(details)

        # The live list picks the request up without a reload; the cache shows the entry once reloaded.
        _wait(driver, lambda d: "Miss" in d.find_element(By.ID, "request-rows").text)
        driver.refresh()
        entries = driver.find_element(By.ID, "cache-entries").text
        assert "/" in entries and "200" in entries
        _not_blank(driver.get_screenshot_as_png(), tmp_path / "dashboard.png")

        # Purge: a real invalidation, listed on the page and by the API.
        driver.find_element(By.ID, "purge").click()
        notice = _wait(driver, expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "p.notice")))
        assert "Invalidation" in notice.text and "created" in notice.text
        listed = client.list_invalidations(DistributionId=distribution["Id"])["InvalidationList"]
        assert listed["Quantity"] == 1 and listed["Items"][0]["Id"] in notice.text

        # The TestFunction console, from the home page's link to the function.
        driver.get(server.url + "/_cloudfront-local/")
        driver.find_element(By.LINK_TEXT, "CloudFront Functions").click()
        driver.find_element(By.LINK_TEXT, function).click()
        driver.find_element(By.ID, "run-test").click()
        output = _wait(driver, expected_conditions.presence_of_element_located((By.ID, "function-output")))
        assert "x-greeting" in output.text and "saw /index.html" in driver.find_element(By.ID, "test-result").text
        assert driver.find_element(By.ID, "compute-utilization").text.isdigit()

        # The DNS zone: add a record through the form, then remove it.
        driver.find_element(By.LINK_TEXT, "DNS zone").click()
        record = f"www-{uuid.uuid4().hex[:6]}.example.com"
        driver.find_element(By.ID, "dns-name").send_keys(record)
        driver.find_element(By.ID, "dns-value").send_keys(distribution["DomainName"])
        driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
        _wait(driver, lambda d: record in d.find_element(By.TAG_NAME, "table").text)
        zone = requests.get(server.url + "/_cloudfront-local/dns", timeout=5).json()["records"]
        assert {"name": record, "type": "CNAME", "value": distribution["DomainName"]} in zone
        driver.find_element(By.CSS_SELECTOR, f"button[aria-label='Remove the records of {record}']").click()
        _wait(driver, lambda d: record not in d.find_element(By.TAG_NAME, "table").text)
