"""The dashboard over real HTTP: resources made with boto3 on a live server, pages read and forms posted with
requests as a browser would (cookies kept by a Session). What a page shows, that it shows it as text, that a
GET changes nothing, that a POST without the session's token or from another site is refused, and the guard
under --credentials. The browser test (test_dashboard_browser.py) follows the same pages in Chromium."""
from __future__ import annotations

import re
import uuid

import boto3
import botocore.config
import pytest
import requests

from builders import direct_config
from conftest import make_client
from serving import RunningServer

ACCOUNT = "123456789012"
OTHER = "210987654321"
UI = "/_cloudfront-local/ui/"
SCRIPT = "<script>document.title='owned'</script>"


@pytest.fixture(scope="module")
def server():
    with RunningServer("--origin-access-control-quota", "1000") as running:
        yield running


def _token(page: str) -> str:
    found = re.search(r'name="csrf(?:-token)?" (?:value|content)="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def _browser(server) -> tuple[requests.Session, str]:
    """A session that has opened the dashboard once: its cookie and the CSRF token its forms carry."""
    browser = requests.Session()
    home = browser.get(server.url + "/_cloudfront-local/", timeout=10)
    assert home.status_code == 200
    return browser, _token(home.text)


def test_home_lists_every_account_and_family_with_counts(server):
    mine, theirs = make_client(server.url, ACCOUNT), make_client(server.url, OTHER)
    mine.create_distribution(DistributionConfig=direct_config())
    theirs.create_origin_access_control(OriginAccessControlConfig={
        "Name": f"oac-{uuid.uuid4().hex[:8]}", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})
    page = requests.get(server.url + "/_cloudfront-local/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"Account {ACCOUNT}" in page.text and f"Account {OTHER}" in page.text
    assert f'href="{UI}a/{ACCOUNT}/distribution"' in page.text
    assert f'href="{UI}a/{OTHER}/origin-access-control"' in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/_cloudfront-local/" in cookie


def test_a_comment_holding_markup_shows_as_text(server):
    client = make_client(server.url, ACCOUNT)
    made = client.create_distribution(DistributionConfig=direct_config(Comment=SCRIPT))["Distribution"]
    for path in (f"{UI}a/{ACCOUNT}/distribution", f"{UI}a/{ACCOUNT}/distribution/{made['Id']}"):
        page = requests.get(server.url + path, timeout=10)
        assert page.status_code == 200
        assert SCRIPT not in page.text
        assert "&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;" in page.text


def test_detail_shows_config_etag_status_tags_domains_and_references(server):
    client = make_client(server.url, ACCOUNT)
    policy = client.create_cache_policy(CachePolicyConfig={
        "Name": f"p-{uuid.uuid4().hex[:8]}", "MinTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}})
    policy_id = policy["CachePolicy"]["Id"]
    config = direct_config(Aliases={"Quantity": 1, "Items": ["shop.example.com"]})
    config["DefaultCacheBehavior"]["CachePolicyId"] = policy_id
    made = client.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": config, "Tags": {"Items": [{"Key": "team", "Value": "web"}]}})
    distribution = made["Distribution"]
    port = server.url.rsplit(":", 1)[1]
    page = requests.get(server.url + f"{UI}a/{ACCOUNT}/distribution/{distribution['Id']}", timeout=10).text
    status = client.get_distribution(Id=distribution["Id"])["Distribution"]["Status"]
    assert made["ETag"] in page and f"<dt>Status</dt><dd>{status}</dd>" in page and "team=web" in page
    label = distribution["DomainName"].removesuffix(".net")
    assert f'href="http://{label}.localhost:{port}/"' in page
    assert f'href="http://shop.example.com.localhost:{port}/"' in page
    assert f'href="{UI}a/{ACCOUNT}/cache-policy/{policy_id}"' in page  # what it refers to
    assert "redirect-to-https" in page                                   # the config tree, its behaviors
    used = requests.get(server.url + f"{UI}a/{ACCOUNT}/cache-policy/{policy_id}", timeout=10).text
    assert f'href="{UI}a/{ACCOUNT}/distribution/{distribution["Id"]}"' in used  # what refers to it


def test_a_managed_policy_has_its_page(server):
    page = requests.get(server.url + f"{UI}a/{ACCOUNT}/cache-policy/658327ea-f89d-4fab-a63d-7e88639e58f6", timeout=10)
    assert page.status_code == 200 and "Managed-CachingOptimized" in page.text


def test_a_get_changes_nothing(server):
    client = make_client(server.url, ACCOUNT)
    made = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    answer = requests.get(server.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}/purge", timeout=10)
    assert answer.status_code == 404
    assert client.list_invalidations(DistributionId=made["Id"])["InvalidationList"]["Quantity"] == 0


def test_purge_is_a_real_invalidation_and_needs_the_sessions_token(server):
    client = make_client(server.url, ACCOUNT)
    made = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    target = server.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}/purge"
    browser, token = _browser(server)
    # No cookie (another site's form cannot send a SameSite=Strict one), a wrong token, another site's Origin.
    assert requests.post(target, data={"csrf": token, "path": "/*"}, timeout=10).status_code == 403
    assert browser.post(target, data={"csrf": "0" * 40, "path": "/*"}, timeout=10).status_code == 403
    assert browser.post(target, data={"csrf": token, "path": "/*"}, headers={"Origin": "http://evil.example"},
                        timeout=10).status_code == 403
    assert browser.post(target, data={"path": "/*"}, timeout=10).status_code == 403
    assert client.list_invalidations(DistributionId=made["Id"])["InvalidationList"]["Quantity"] == 0
    done = browser.post(target, data={"csrf": token, "path": "/images/*"}, allow_redirects=False, timeout=10)
    assert done.status_code == 303
    listed = client.list_invalidations(DistributionId=made["Id"])["InvalidationList"]["Items"]
    assert len(listed) == 1
    found = client.get_invalidation(DistributionId=made["Id"], Id=listed[0]["Id"])["Invalidation"]
    assert found["InvalidationBatch"]["Paths"]["Items"] == ["/images/*"]
    page = browser.get(server.url + done.headers["Location"], timeout=10).text
    assert listed[0]["Id"] in page and "/images/*" in page
    # The service's own rules apply: a path without a leading slash is CreateInvalidation's InvalidArgument.
    refused = browser.post(target, data={"csrf": token, "path": "no-slash"}, timeout=10)
    assert refused.status_code == 400 and "InvalidArgument" in refused.text


def test_test_function_console(server):
    client = make_client(server.url, ACCOUNT)
    name = f"dash-{uuid.uuid4().hex[:8]}"
    client.create_function(Name=name, FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                           FunctionCode=b"function handler(event) { console.log('hi ' + event.request.uri);"
                                        b" return event.request; }")
    browser, token = _browser(server)
    page = browser.get(server.url + f"{UI}a/{ACCOUNT}/function/{name}", timeout=10)
    assert "console.log" in page.text and "TestFunction console" in page.text
    event = '{"version":"1.0","context":{"eventType":"viewer-request"},"viewer":{"ip":"1.2.3.4"},' \
            '"request":{"method":"GET","uri":"/dash","querystring":{},"headers":{},"cookies":{}}}'
    ran = browser.post(server.url + f"{UI}a/{ACCOUNT}/function/{name}/test",
                       data={"csrf": token, "stage": "DEVELOPMENT", "event": event}, timeout=10)
    assert ran.status_code == 200
    assert re.search(r'id="compute-utilization">\d+<', ran.text), ran.text[-2000:]
    assert "hi /dash" in ran.text                                   # the function's log
    output = re.search(r'id="function-output">([^<]*)<', ran.text).group(1)
    assert "/dash" in output                                        # the request it returned
    bad = browser.post(server.url + f"{UI}a/{ACCOUNT}/function/{name}/test",
                       data={"csrf": token, "stage": "LIVE", "event": event}, timeout=10)
    assert "problem" in bad.text  # LIVE is not published: TestFunction's own error, shown on the page


def test_dns_zone_and_geo_table_editing(server):
    browser, token = _browser(server)
    name = f"www-{uuid.uuid4().hex[:8]}.example.com"
    added = browser.post(server.url + UI + "dns", data={"csrf": token, "name": name, "type": "CNAME",
                                                         "value": "d111111abcdef8.cloudfront.net"}, timeout=10)
    assert added.status_code == 200 and name in added.text
    zone = requests.get(server.url + "/_cloudfront-local/dns", timeout=10).json()["records"]
    assert {"name": name, "type": "CNAME", "value": "d111111abcdef8.cloudfront.net"} in zone
    bad = browser.post(server.url + UI + "dns", data={"csrf": token, "name": "x", "type": "MX", "value": "y"},
                       timeout=10)
    assert bad.status_code == 400 and "problem" in bad.text
    browser.post(server.url + UI + "dns/delete", data={"csrf": token, "name": name}, timeout=10)
    assert name not in str(requests.get(server.url + "/_cloudfront-local/dns", timeout=10).json())
    placed = browser.post(server.url + UI + "geo", data={"csrf": token, "cidr": "198.51.100.0/24", "country": "FR"},
                          timeout=10)
    assert placed.status_code == 200 and "198.51.100.0/24" in placed.text
    assert {"cidr": "198.51.100.0/24", "country": "FR"} in requests.get(
        server.url + "/_cloudfront-local/geo", timeout=10).json()["entries"]


def test_key_value_store_contents(server):
    client = make_client(server.url, ACCOUNT)
    name = f"kvs-{uuid.uuid4().hex[:8]}"
    store = client.create_key_value_store(Name=name)["KeyValueStore"]
    data = boto3.client("cloudfront-keyvaluestore", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=ACCOUNT, aws_secret_access_key="secret",
                        config=botocore.config.Config(proxies={"http": server.url}))
    etag = data.describe_key_value_store(KvsARN=store["ARN"])["ETag"]
    data.put_key(KvsARN=store["ARN"], Key="greeting", Value="<b>bonjour</b>", IfMatch=etag)
    page = requests.get(server.url + f"{UI}a/{ACCOUNT}/key-value-store/{store['Id']}", timeout=10).text
    assert "greeting" in page and "&lt;b&gt;bonjour&lt;/b&gt;" in page


def test_paging_through_a_family(server):
    client = make_client(server.url, "333333333333")
    made = [client.create_origin_access_control(OriginAccessControlConfig={
        "Name": f"oac-{n:03d}", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"] for n in range(105)]
    first = requests.get(server.url + f"{UI}a/333333333333/origin-access-control", timeout=10).text
    assert all(made[n] in first for n in range(100)) and made[100] not in first
    following = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = requests.get(server.url + following, timeout=10).text
    assert all(made[n] in second for n in range(100, 105)) and made[0] not in second
    assert 'rel="next"' not in second


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    path = tmp_path_factory.mktemp("credentials") / "credentials.toml"
    path.write_text(f"""
[[credentials]]
access_key_id = "AKIAADMIN"
secret_access_key = "admin-secret"
account_id = "{ACCOUNT}"

[[credentials]]
access_key_id = "AKIAREADER"
secret_access_key = "reader-secret"
account_id = "{ACCOUNT}"
allow = ["cloudfront-local:ViewDashboard", "cloudfront:Get*"]

[[credentials]]
access_key_id = "AKIAOTHER"
secret_access_key = "other-secret"
account_id = "{OTHER}"
""")
    with RunningServer("--credentials", str(path)) as running:
        yield running


def _signed(url: str, key: str, secret: str):
    return boto3.client("cloudfront", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret)


def _sign_in(server, key: str, secret: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    login = browser.get(server.url + "/_cloudfront-local/", timeout=10)
    assert login.status_code == 401 and "Sign in" in login.text
    done = browser.post(server.url + UI + "login", data={"csrf": _token(login.text), "access_key_id": key,
                                                         "secret_access_key": secret, "next": "/_cloudfront-local/"},
                        allow_redirects=False, timeout=10)
    assert done.status_code == 303, done.text
    home = browser.get(server.url + "/_cloudfront-local/", timeout=10)
    assert home.status_code == 200
    return browser, _token(home.text)


def test_with_credentials_nothing_is_read_or_changed_signed_out(guarded):
    made = _signed(guarded.url, "AKIAADMIN", "admin-secret").create_distribution(
        DistributionConfig=direct_config(Comment="secret plans"))["Distribution"]
    for path in ("/_cloudfront-local/", f"{UI}a/{ACCOUNT}/distribution", f"{UI}a/{ACCOUNT}/distribution/{made['Id']}",
                 f"{UI}requests", f"{UI}dns", f"{UI}geo"):
        answer = requests.get(guarded.url + path, timeout=10)
        assert answer.status_code == 401, path
        assert made["DomainName"] not in answer.text and "secret plans" not in answer.text
    browser = requests.Session()
    token = _token(browser.get(guarded.url + "/_cloudfront-local/", timeout=10).text)
    purge = browser.post(guarded.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}/purge",
                         data={"csrf": token, "path": "/*"}, timeout=10)
    assert purge.status_code == 401
    wrong = browser.post(guarded.url + UI + "login", data={"csrf": token, "access_key_id": "AKIAADMIN",
                                                           "secret_access_key": "guess"}, timeout=10)
    assert wrong.status_code == 401 and "are not in the credentials file" in wrong.text
    admin = _signed(guarded.url, "AKIAADMIN", "admin-secret")
    assert admin.list_invalidations(DistributionId=made["Id"])["InvalidationList"]["Quantity"] == 0


def test_with_credentials_a_session_sees_its_account_and_does_what_its_key_may(guarded):
    admin = _signed(guarded.url, "AKIAADMIN", "admin-secret")
    made = admin.create_distribution(DistributionConfig=direct_config())["Distribution"]
    _signed(guarded.url, "AKIAOTHER", "other-secret").create_distribution(
        DistributionConfig=direct_config(Comment="not yours"))
    browser, token = _sign_in(guarded, "AKIAOTHER", "other-secret")
    home = browser.get(guarded.url + "/_cloudfront-local/", timeout=10).text
    assert f"Account {OTHER}" in home and f"Account {ACCOUNT}" not in home
    assert browser.get(guarded.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}", timeout=10).status_code == 403
    reader, reader_token = _sign_in(guarded, "AKIAREADER", "reader-secret")
    assert reader.get(guarded.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}", timeout=10).status_code == 200
    denied = reader.post(guarded.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}/purge",
                         data={"csrf": reader_token, "path": "/*"}, timeout=10)
    assert denied.status_code == 403 and "cloudfront:CreateInvalidation" in denied.text
    assert reader.post(guarded.url + UI + "dns", data={"csrf": reader_token, "name": "a.example.com",
                                                       "type": "A", "value": "127.0.0.1"},
                       timeout=10).status_code == 403
    owner, owner_token = _sign_in(guarded, "AKIAADMIN", "admin-secret")
    done = owner.post(guarded.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}/purge",
                      data={"csrf": owner_token, "path": "/*"}, allow_redirects=False, timeout=10)
    assert done.status_code == 303
    assert admin.list_invalidations(DistributionId=made["Id"])["InvalidationList"]["Quantity"] == 1
    # A token from before signing in is worth nothing after: signing in starts a new session.
    assert owner.post(guarded.url + f"{UI}a/{ACCOUNT}/distribution/{made['Id']}/purge",
                      data={"csrf": token, "path": "/*"}, timeout=10).status_code == 403


def test_a_sign_in_never_redirects_off_the_server(guarded):
    browser = requests.Session()
    token = _token(browser.get(guarded.url + "/_cloudfront-local/", timeout=10).text)
    done = browser.post(guarded.url + UI + "login", data={
        "csrf": token, "access_key_id": "AKIAADMIN", "secret_access_key": "admin-secret",
        "next": "//evil.example/"}, allow_redirects=False, timeout=10)
    assert done.status_code == 303 and done.headers["Location"] == "/_cloudfront-local/"


@pytest.mark.parametrize("method,target,headers,body", [
    ("GET", UI + "a/%ZZ/%ff%fe/%00", {}, b""),
    ("GET", UI + "a/" + "x" * 3000 + "/distribution", {}, b""),
    ("GET", UI + "a/123456789012/distribution?after=99999999999999999999999", {}, b""),
    ("GET", UI + "a/123456789012/distribution?after=%ff&after=1", {}, b""),
    ("GET", "/_cloudfront-local/", {"Cookie": "cloudfront-local-dashboard=\x7f\x01..;;=\"\\"}, b""),
    ("GET", "/_cloudfront-local/", {"Cookie": "cloudfront-local-dashboard=a.b.c.d"}, b""),
    ("POST", UI + "dns", {"Content-Type": "application/x-www-form-urlencoded"}, b"\xff\xfe=\x00"),
    ("POST", UI + "dns", {"Content-Type": "application/x-www-form-urlencoded"}, b"&".join([b"a=b"] * 5000)),
    ("POST", UI + "geo", {}, b"cidr=%ZZ&country=" + b"F" * 5000),
    ("PUT", UI + "dns", {}, b""),
    ("DELETE", "/_cloudfront-local/", {}, b""),
    ("GET", UI + "static/../../application.py", {}, b""),
    ("GET", UI + "static/%2e%2e%2fguard.py", {}, b""),
])
def test_hostile_requests_get_a_4xx_never_a_5xx(server, method, target, headers, body):
    import http.client

    connection = http.client.HTTPConnection(server.url.split("//", 1)[1], timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value.encode("latin-1"))
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        text = answer.read()
    finally:
        connection.close()
    assert answer.status < 500, text[:300]
    assert b"Traceback" not in text and b"import " not in text


class _Markup(__import__("html.parser").parser.HTMLParser):
    """What an accessibility check needs of a page: fields and their labels, headings, landmarks, images."""

    def __init__(self):
        super().__init__()
        self.fields, self.labelled, self.label_depth, self.h1, self.main, self.lang = [], set(), 0, 0, 0, ""
        self.images_without_alt = 0
        self.buttons, self._button = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields.append((attrs.get("id"), self.label_depth > 0 or bool(attrs.get("aria-label"))))
        if tag == "h1":
            self.h1 += 1
        if tag == "main":
            self.main += 1
        if tag == "img" and "alt" not in attrs:
            self.images_without_alt += 1
        if tag == "button":
            self._button = [attrs.get("aria-label") or ""]

    def handle_data(self, data):
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        if tag == "button" and self._button is not None:
            self.buttons.append("".join(self._button).strip())
            self._button = None


def test_pages_have_accessible_markup(server):
    client = make_client(server.url, ACCOUNT)
    made = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    name = f"a11y-{uuid.uuid4().hex[:8]}"
    client.create_function(Name=name, FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                           FunctionCode=b"function handler(event) { return event.request; }")
    for path in ("/_cloudfront-local/", f"{UI}a/{ACCOUNT}/distribution", f"{UI}a/{ACCOUNT}/distribution/{made['Id']}",
                 f"{UI}a/{ACCOUNT}/function/{name}", f"{UI}requests", f"{UI}dns", f"{UI}geo"):
        markup = _Markup()
        markup.feed(requests.get(server.url + path, timeout=10).text)
        assert markup.lang == "en" and markup.h1 == 1 and markup.main == 1, path
        unlabelled = [field for field, wrapped in markup.fields if not wrapped and field not in markup.labelled]
        assert not unlabelled, (path, unlabelled)
        assert markup.images_without_alt == 0 and all(markup.buttons), path
