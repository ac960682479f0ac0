"""The bytes on the wire: root elements, namespace, headers, status codes and the error document."""
import email.utils
import http.server
import socket
import uuid
import xml.etree.ElementTree as ET

import origin_servers
import pytest
import requests

from builders import CACHING_OPTIMIZED, direct_config

NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
Q = "{" + NS + "}"


def create_body(name: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><CreateConnectionGroupRequest xmlns="{NS}">'
            f"<Name>{name}</Name>{extra}</CreateConnectionGroupRequest>").encode()


def auth(account: str) -> dict:
    return {"Authorization": f"AWS4-HMAC-SHA256 Credential={account}/20261124/us-east-1/cloudfront/aws4_request, "
                             "SignedHeaders=host;x-amz-date, Signature=0"}


def assert_error(response, status: int, code: str) -> ET.Element:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "text/xml"
    root = ET.fromstring(response.content)
    assert root.tag == Q + "ErrorResponse"
    error = root.find(Q + "Error")
    assert [child.tag for child in error] == [Q + "Type", Q + "Code", Q + "Message"]
    assert error.find(Q + "Type").text == "Sender"
    assert error.find(Q + "Code").text == code
    assert error.find(Q + "Message").text
    assert root.find(Q + "RequestId").text == response.headers["x-amz-request-id"]
    return error


def test_create_wire_format(server, account):
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=create_body("wire"), headers=auth(account))
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "text/xml"
    assert response.headers["ETag"].startswith("E")
    assert response.headers["x-amz-request-id"]
    root = ET.fromstring(response.content)
    assert root.tag == Q + "ConnectionGroup"
    children = [child.tag[len(Q):] for child in root]
    assert children[:3] == ["Id", "Name", "Arn"]
    assert root.find(Q + "CreatedTime").text.endswith("Z")
    assert root.find(Q + "Enabled").text == "true"
    assert root.find(Q + "Status").text == "InProgress"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_list_wire_format(server, account):
    requests.post(f"{server.url}/2020-05-31/connection-group", data=create_body("listed"), headers=auth(account))
    body = f'<ListConnectionGroupsRequest xmlns="{NS}"><MaxItems>10</MaxItems></ListConnectionGroupsRequest>'
    response = requests.post(f"{server.url}/2020-05-31/connection-groups", data=body, headers=auth(account))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == Q + "ListConnectionGroupsResult"
    summaries = root.find(Q + "ConnectionGroups").findall(Q + "ConnectionGroupSummary")
    assert len(summaries) == 1
    assert summaries[0].find(Q + "ETag").text.startswith("E")


def test_list_without_body_lists_everything(server, account):
    response = requests.post(f"{server.url}/2020-05-31/connection-groups", headers=auth(account))
    assert response.status_code == 200


def test_delete_is_204_with_empty_body(server, account):
    created = requests.post(f"{server.url}/2020-05-31/connection-group",
                            data=create_body("gone", "<Enabled>false</Enabled>"), headers=auth(account))
    group_id = ET.fromstring(created.content).find(Q + "Id").text
    response = requests.delete(f"{server.url}/2020-05-31/connection-group/{group_id}",
                               headers={**auth(account), "If-Match": created.headers["ETag"]})
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["x-amz-request-id"]


def test_error_document(server, account):
    response = requests.get(f"{server.url}/2020-05-31/connection-group/cg_unknown", headers=auth(account))
    assert_error(response, 404, "EntityNotFound")


def test_every_response_has_a_distinct_request_id(server):
    ids = {requests.get(f"{server.url}/2020-05-31/connection-group/x").headers["x-amz-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_unsigned_requests_use_the_default_account(server):
    created = requests.post(f"{server.url}/2020-05-31/connection-group", data=create_body("unsigned-default"))
    arn = ET.fromstring(created.content).find(Q + "Arn").text
    assert ":123456789012:" in arn
    requests.post(f"{server.url}/_cloudfront-local/reset")


def test_presigned_credential_selects_the_account(server, account):
    url = (f"{server.url}/2020-05-31/connection-group?X-Amz-Credential={account}%2F20261124%2Fus-east-1"
           "%2Fcloudfront%2Faws4_request")
    created = requests.post(url, data=create_body("presigned"))
    assert f":{account}:" in ET.fromstring(created.content).find(Q + "Arn").text


@pytest.mark.parametrize("body", [
    b"<CreateConnectionGroupRequest><Name>x</Name>",
    b"not xml at all",
    b"<a><b></a>",
    b"\xff\xfe<bad/>",
])
def test_malformed_xml_is_400(server, account, body):
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=body, headers=auth(account))
    assert_error(response, 400, "MalformedInput")


def _document(name: str) -> str:
    return f'<CreateConnectionGroupRequest xmlns="{NS}"><Name>{name}</Name></CreateConnectionGroupRequest>'


@pytest.mark.parametrize("prolog", [
    '<?xml version="1.0" encoding="UT-8"?>',          # the outside fuzzer's case: expat raised LookupError
    '<?xml version="1.0" encoding="base64_codec"?>',  # a codec that exists but is not a text encoding
    '<?xml version="1.0" encoding="rot_13"?>',
    '<?xml version="1.0" encoding="uu_codec"?>',
    '<?xml version="1.0" encoding="mbcs"?>',
    '<?xml version="1.0" encoding="shift_jis"?>',     # multi-byte codecs expat cannot take from Python
    '<?xml version="1.0" encoding=""?>',
    '<?xml version="1.0" encoding="UTF-16"?>',        # says UTF-16, is UTF-8
    '<?xml version="1.0" standalone="maybe"?>',
    '<?xml version="1.0" junk="1"?>',
    '<?xml?>',
    'junk<?xml version="1.0"?>',
    '\n<?xml version="1.0"?>',                       # a declaration must come first
])
def test_any_xml_declaration_that_cannot_be_read_is_400(server, account, prolog):
    body = (prolog + _document(f"prolog-{account}")).encode()
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=body, headers=auth(account))
    assert_error(response, 400, "MalformedInput")


@pytest.mark.parametrize("name, body", [
    ("utf16-bom", lambda d: ('<?xml version="1.0" encoding="UTF-16"?>' + d).encode("utf-16")),
    ("utf16le-no-bom", lambda d: ('<?xml version="1.0" encoding="UTF-16LE"?>' + d).encode("utf-16-le")),
    ("utf16be-bom", lambda d: b"\xfe\xff" + ('<?xml version="1.0" encoding="UTF-16"?>' + d).encode("utf-16-be")),
    ("utf8-bom", lambda d: b"\xef\xbb\xbf" + ('<?xml version="1.0" encoding="UTF-8"?>' + d).encode()),
    ("latin1", lambda d: ('<?xml version="1.0" encoding="ISO-8859-1"?>' + d).encode("latin-1")),
    ("standalone", lambda d: ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + d).encode()),
    ("comments-and-pis", lambda d: ('<?xml version="1.0"?><!-- c --><?pi data?>\n' + d + "<!-- after -->").encode()),
    ("no-declaration", lambda d: d.encode()),
])
def test_well_formed_documents_in_any_encoding_are_read(server, account, name, body):
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=body(_document(f"enc-{name}")),
                             headers=auth(account))
    assert response.status_code == 201, response.text
    assert ET.fromstring(response.content).find(Q + "Name").text == f"enc-{name}"


def test_entities_and_dtds_are_refused(server, account):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<CreateConnectionGroupRequest><Name>&lol2;</Name></CreateConnectionGroupRequest>')
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<CreateConnectionGroupRequest><Name>&e;</Name></CreateConnectionGroupRequest>')
    for body in (laughs, xxe):
        response = requests.post(f"{server.url}/2020-05-31/connection-group", data=body, headers=auth(account))
        assert_error(response, 400, "MalformedInput")


def test_missing_body_is_400(server, account):
    response = requests.post(f"{server.url}/2020-05-31/connection-group", headers=auth(account))
    assert_error(response, 400, "MissingBody")


@pytest.mark.parametrize("extra", ["<Enabled>maybe</Enabled>", "<Ipv6Enabled>1x</Ipv6Enabled>"])
def test_wrong_types_are_invalid_argument(server, account, extra):
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=create_body("typed", extra),
                             headers=auth(account))
    error = assert_error(response, 400, "InvalidArgument")
    assert "Enabled" in error.find(Q + "Message").text


@pytest.mark.parametrize("max_items", ["abc", "99999999999999999999999", "-"])
def test_wrong_integer_is_invalid_argument(server, account, max_items):
    body = f'<ListConnectionGroupsRequest xmlns="{NS}"><MaxItems>{max_items}</MaxItems></ListConnectionGroupsRequest>'
    response = requests.post(f"{server.url}/2020-05-31/connection-groups", data=body, headers=auth(account))
    error = assert_error(response, 400, "InvalidArgument")
    assert "MaxItems" in error.find(Q + "Message").text


@pytest.mark.parametrize("method,path", [
    ("GET", "/"),
    ("GET", "/2020-05-31/no-such-thing"),
    ("PATCH", "/2020-05-31/connection-group/x"),
    ("GET", "/2019-03-26/connection-group/x"),
    ("POST", "/2020-05-31/connection-group/x/y/z"),
])
def test_paths_that_match_no_operation_are_404(server, method, path):
    response = requests.request(method, server.url + path)
    assert_error(response, 404, "InvalidRequest")


def test_streaming_distributions_are_gone_as_on_cloudfront(server):
    # RTMP distributions were discontinued: none can exist, and the list is empty.
    response = requests.get(f"{server.url}/2020-05-31/streaming-distribution")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find(f"{Q}Quantity").text == "0" and root.find(f"{Q}IsTruncated").text == "false"
    response = requests.get(f"{server.url}/2020-05-31/streaming-distribution/EDFDVBD6EXAMPLE")
    assert_error(response, 404, "NoSuchStreamingDistribution")


def test_oversized_body_is_refused(server, account):
    body = create_body("big", "<Tags>" + "x" * (2 * 1024 * 1024) + "</Tags>")
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=body, headers=auth(account))
    assert response.status_code == 413
    assert requests.get(f"{server.url}/_cloudfront-local/health").status_code == 200


def test_deep_nesting_is_refused(server, account):
    body = create_body("deep", "<Tags>" + "<Items>" * 5000 + "</Items>" * 5000 + "</Tags>")
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=body, headers=auth(account))
    assert_error(response, 400, "MalformedInput")


def test_moderate_nesting_of_unknown_elements_is_ignored(server, account):
    body = create_body("nested", "<Extra>" + "<x>" * 40 + "</x>" * 40 + "</Extra>")
    response = requests.post(f"{server.url}/2020-05-31/connection-group", data=body, headers=auth(account))
    assert response.status_code == 201


def test_oversized_url_and_headers_are_refused(server):
    long_id = "a" * 9000
    assert requests.get(f"{server.url}/2020-05-31/connection-group/{long_id}").status_code == 414
    response = requests.get(f"{server.url}/2020-05-31/connection-group/x", headers={"X-Big": "b" * 21000})
    assert response.status_code == 431
    assert requests.get(f"{server.url}/_cloudfront-local/health").status_code == 200


def test_invalid_utf8_in_the_path_is_refused(server):
    response = requests.get(f"{server.url}/2020-05-31/connection-group/%ff%fe")
    assert_error(response, 400, "InvalidArgument")


def test_unknown_elements_are_ignored(server, account):
    response = requests.post(f"{server.url}/2020-05-31/connection-group",
                             data=create_body("lenient", "<Surprise>1</Surprise>"), headers=auth(account))
    assert response.status_code == 201


def test_health_endpoint(server):
    response = requests.get(f"{server.url}/_cloudfront-local/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def _date_headers(url: str, request: bytes) -> tuple[int, list[bytes]]:
    """Send raw bytes, read one answer whole; its status and every Date header line's value."""
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    head = answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    return int(head[0].split()[1]), [line.split(b":", 1)[1].strip() for line in head[1:]
                                     if line.split(b":", 1)[0].strip().lower() == b"date"]


class _DatedOrigin(http.server.BaseHTTPRequestHandler):
    """An origin that writes its own Date, as web servers do (send_response adds it), cacheable for a minute."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Cache-Control", "max-age=60")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_exactly_one_date_header_on_every_answer(server, client):
    origin = origin_servers.start(_DatedOrigin)
    try:
        name = f"dated-{uuid.uuid4().hex[:10]}.example.com"
        requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                      timeout=5).raise_for_status()
        with socket.socket() as probe:  # a port nobody listens on: CloudFront's own 502 page
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        origins = [{"Id": oid, "DomainName": name, "CustomOriginConfig": {
            "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
            for oid, port in (("origin", origin.server_address[1]), ("down", closed))]
        config = direct_config(Origins={"Quantity": 2, "Items": origins}, DefaultCacheBehavior={
            "TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED},
            CacheBehaviors={"Quantity": 1, "Items": [{
                "PathPattern": "/down", "TargetOriginId": "down", "ViewerProtocolPolicy": "allow-all",
                "CachePolicyId": CACHING_OPTIMIZED}]})
        domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]

        def get(host: str, path: str = "/") -> bytes:
            return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()

        miss = _date_headers(server.edge_url, get(domain, "/page"))
        hit = _date_headers(server.edge_url, get(domain, "/page"))
        down = _date_headers(server.edge_url, get(domain, "/down"))
        unknown = _date_headers(server.edge_url, get("nobody.example.com"))
        malformed = _date_headers(server.edge_url, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        api = _date_headers(server.url, get("cloudfront.amazonaws.com", "/2020-05-31/connection-group/cg_none"))
    finally:
        origin.shutdown()
    assert [status for status, _ in (miss, hit, down, unknown, malformed, api)] == [200, 200, 502, 403, 400, 404]
    for _, dates in (miss, hit, down, unknown, malformed, api):
        assert len(dates) == 1, dates
        email.utils.parsedate_to_datetime(dates[0].decode())  # an HTTP date
    # The origin's Date reaches the viewer, and a hit answers with the stored one (and an Age).
    assert hit[1] == miss[1]
