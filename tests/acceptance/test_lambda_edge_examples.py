"""The Developer Guide's "Lambda@Edge example functions" that need no other AWS service, each run at the edge
in Node.js and in Python through real viewer requests: a function made and published with boto3's lambda
client, a distribution (boto3's cloudfront client) attaching it on the trigger the guide names, and an origin
that records what reached it. The handlers follow the guide's code, written out here in both runtimes (where
the guide's Python differs from its Node.js by a slip, such as bytes keys from parse_qs, the port does what the
Node.js does). Left out: the examples that fetch from or switch between S3 buckets (another AWS service)."""
from __future__ import annotations

import base64
import gzip
import json
import time
import urllib.parse
import uuid

import pytest
import requests

from edge_lambda import (ALL_VIEWER_EXCEPT_HOST, CACHING_OPTIMIZED, asked, distribution, dns,  # noqa: F401
                         functions, get, origin, origin_port, version)
from lambda_zips import node, python

PAGE = """
<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Simple Lambda@Edge Static Content Response</title>
  </head>
  <body>
    <p>Hello from Lambda@Edge!</p>
  </body>
</html>
"""

EXAMPLES = {
    # -- General examples ------------------------------------------------------------------------------
    "ab_testing": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    const headers = request.headers;
    if (request.uri !== '/experiment-pixel.jpg') {
        callback(null, request);  // not an A/B test request
        return;
    }
    const cookieA = 'X-Experiment-Name=A', cookieB = 'X-Experiment-Name=B';
    const pathA = '/experiment-group/control-pixel.jpg', pathB = '/experiment-group/treatment-pixel.jpg';
    let experimentUri;
    for (const cookie of headers.cookie || []) {  // one entry per Cookie header, values unparsed
        if (cookie.value.indexOf(cookieA) >= 0) { console.log('Experiment A cookie found'); experimentUri = pathA; break; }
        if (cookie.value.indexOf(cookieB) >= 0) { console.log('Experiment B cookie found'); experimentUri = pathB; break; }
    }
    if (!experimentUri) {
        console.log('Experiment cookie has not been found. Throwing dice...');
        experimentUri = Math.random() < 0.75 ? pathA : pathB;
    }
    request.uri = experimentUri;
    console.log(`Request uri set to "${request.uri}"`);
    callback(null, request);
};""", "python": """import random

def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    headers = request['headers']
    if request['uri'] != '/experiment-pixel.jpg':
        return request  # not an A/B test request
    cookie_a, cookie_b = 'X-Experiment-Name=A', 'X-Experiment-Name=B'
    path_a, path_b = '/experiment-group/control-pixel.jpg', '/experiment-group/treatment-pixel.jpg'
    experiment_uri = ''
    for cookie in headers.get('cookie', []):
        if cookie_a in cookie['value']:
            print('Experiment A cookie found')
            experiment_uri = path_a
            break
        elif cookie_b in cookie['value']:
            print('Experiment B cookie found')
            experiment_uri = path_b
            break
    if not experiment_uri:
        print('Experiment cookie has not been found. Throwing dice...')
        experiment_uri = path_a if random.random() < 0.75 else path_b
    request['uri'] = experiment_uri
    print(f'Request uri set to {experiment_uri}')
    return request
"""},
    "override_response_header": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const response = event.Records[0].cf.response;
    const headers = response.headers;
    const headerNameSrc = 'X-Amz-Meta-Last-Modified';
    const headerNameDst = 'Last-Modified';
    if (headers[headerNameSrc.toLowerCase()]) {
        headers[headerNameDst.toLowerCase()] = [headers[headerNameSrc.toLowerCase()][0]];
        console.log(`Response header "${headerNameDst}" was set to "${headers[headerNameDst.toLowerCase()][0].value}"`);
    }
    callback(null, response);
};""", "python": """def lambda_handler(event, context):
    response = event['Records'][0]['cf']['response']
    headers = response['headers']
    header_name_src = 'X-Amz-Meta-Last-Modified'
    header_name_dst = 'Last-Modified'
    if headers.get(header_name_src.lower(), None):
        headers[header_name_dst.lower()] = [headers[header_name_src.lower()][0]]
        print(f'Response header {header_name_dst.lower()} was set to {headers[header_name_src.lower()][0]}')
    return response
"""},
    # -- Generating responses --------------------------------------------------------------------------
    "static_content": {"node": """'use strict';
const content = %s;
exports.handler = (event, context, callback) => {
    const response = {
        status: '200',
        statusDescription: 'OK',
        headers: {
            'cache-control': [{key: 'Cache-Control', value: 'max-age=100'}],
            'content-type': [{key: 'Content-Type', value: 'text/html'}],
        },
        body: content,
    };
    callback(null, response);
};""" % json.dumps(PAGE), "python": """CONTENT = %r

def lambda_handler(event, context):
    return {
        'status': '200',
        'statusDescription': 'OK',
        'headers': {
            'cache-control': [{'key': 'Cache-Control', 'value': 'max-age=100'}],
            'content-type': [{'key': 'Content-Type', 'value': 'text/html'}],
        },
        'body': CONTENT,
    }
""" % PAGE},
    "static_content_gzip": {"node": """'use strict';
const zlib = require('zlib');
const content = %s;
exports.handler = (event, context, callback) => {
    const base64EncodedBody = zlib.gzipSync(content).toString('base64');
    callback(null, {
        headers: {
            'content-type': [{key: 'Content-Type', value: 'text/html; charset=utf-8'}],
            'content-encoding': [{key: 'Content-Encoding', value: 'gzip'}],
        },
        body: base64EncodedBody,
        bodyEncoding: 'base64',
        status: '200',
        statusDescription: 'OK',
    });
};""" % json.dumps(PAGE), "python": """import base64
import gzip

CONTENT = %r

def lambda_handler(event, context):
    return {
        'headers': {
            'content-type': [{'key': 'Content-Type', 'value': 'text/html; charset=utf-8'}],
            'content-encoding': [{'key': 'Content-Encoding', 'value': 'gzip'}],
        },
        'body': base64.b64encode(gzip.compress(CONTENT.encode())).decode(),
        'bodyEncoding': 'base64',
        'status': '200',
        'statusDescription': 'OK',
    }
""" % PAGE},
    "http_redirect": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const response = {
        status: '302',
        statusDescription: 'Found',
        headers: {
            location: [{key: 'Location', value: 'http://docs.aws.amazon.com/lambda/latest/dg/lambda-edge.html'}],
        },
    };
    callback(null, response);
};""", "python": """def lambda_handler(event, context):
    return {
        'status': '302',
        'statusDescription': 'Found',
        'headers': {
            'location': [{'key': 'Location', 'value': 'http://docs.aws.amazon.com/lambda/latest/dg/lambda-edge.html'}]
        },
    }
"""},
    # -- Query strings ---------------------------------------------------------------------------------
    "header_from_query_string": {"node": """'use strict';
const querystring = require('querystring');
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    const params = querystring.parse(request.querystring);
    const headerName = 'Auth-Header';  // the auth parameter moves from the query string to a header
    request.headers[headerName.toLowerCase()] = [{key: headerName, value: params.auth}];
    delete params.auth;
    request.querystring = querystring.stringify(params);
    callback(null, request);
};""", "python": """from urllib.parse import parse_qs, urlencode

def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    params = {k: v[0] for k, v in parse_qs(request['querystring']).items()}
    header_name = 'Auth-Header'  # the auth parameter moves from the query string to a header
    request['headers'][header_name.lower()] = [{'key': header_name, 'value': params['auth']}]
    del params['auth']
    request['querystring'] = urlencode(params)
    return request
"""},
    "normalize_query_string": {"node": """'use strict';
const querystring = require('querystring');
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    console.log('Query String: ', request.querystring);
    const params = querystring.parse(request.querystring.toLowerCase());
    const sortedParams = {};
    Object.keys(params).sort().forEach(key => { sortedParams[key] = params[key]; });
    request.querystring = querystring.stringify(sortedParams);
    callback(null, request);
};""", "python": """from urllib.parse import parse_qs, urlencode

def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    print('Query string: ', request['querystring'])
    params = {k: v[0] for k, v in parse_qs(request['querystring'].lower()).items()}
    request['querystring'] = urlencode(sorted(params.items(), key=lambda x: x[0]))
    return request
"""},
    "redirect_to_sign_in": {"node": """'use strict';
function parseCookies(headers) {
    const parsedCookie = {};
    if (headers.cookie) {
        headers.cookie[0].value.split(';').forEach((cookie) => {
            if (cookie) {
                const parts = cookie.split('=');
                parsedCookie[parts[0].trim()] = parts[1].trim();
            }
        });
    }
    return parsedCookie;
}
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    const headers = request.headers;
    const parsedCookies = parseCookies(headers);
    if (parsedCookies && parsedCookies['session-id']) {
        callback(null, request);
        return;
    }
    const encodedRedirectUrl = encodeURIComponent(`https://${headers.host[0].value}${request.uri}?${request.querystring}`);
    callback(null, {
        status: '302',
        statusDescription: 'Found',
        headers: {
            location: [{key: 'Location', value: `https://www.example.com/signin?redirect_url=${encodedRedirectUrl}`}],
        },
    });
};""", "python": """import urllib.parse

def parse_cookies(headers):
    parsed = {}
    if headers.get('cookie'):
        for cookie in headers['cookie'][0]['value'].split(';'):
            if cookie:
                parts = cookie.split('=')
                parsed[parts[0].strip()] = parts[1].strip()
    return parsed

def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    headers = request['headers']
    parsed = parse_cookies(headers)
    if parsed and parsed.get('session-id'):
        return request
    redirect_url = 'https://%s%s?%s' % (headers['host'][0]['value'], request['uri'], request['querystring'])
    encoded = urllib.parse.quote_plus(redirect_url.encode('utf-8'))
    return {
        'status': '302',
        'statusDescription': 'Found',
        'headers': {
            'location': [{'key': 'Location', 'value': 'https://www.example.com/signin?redirect_url=%s' % encoded}]
        },
    }
"""},
    # -- Country and device headers (origin request) ---------------------------------------------------
    "redirect_by_country": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    const headers = request.headers;
    let url = 'https://example.com/';
    if (headers['cloudfront-viewer-country']) {
        const countryCode = headers['cloudfront-viewer-country'][0].value;
        if (countryCode === 'TW') {
            url = 'https://tw.example.com/';
        } else if (countryCode === 'US') {
            url = 'https://us.example.com/';
        }
    }
    callback(null, {status: '302', statusDescription: 'Found',
                    headers: {location: [{key: 'Location', value: url}]}});
};""", "python": """def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    headers = request['headers']
    url = 'https://example.com/'
    viewer_country = headers.get('cloudfront-viewer-country')
    if viewer_country:
        country_code = viewer_country[0]['value']
        if country_code == 'TW':
            url = 'https://tw.example.com/'
        elif country_code == 'US':
            url = 'https://us.example.com/'
    return {'status': '302', 'statusDescription': 'Found',
            'headers': {'location': [{'key': 'Location', 'value': url}]}}
"""},
    "object_by_device": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    const headers = request.headers;
    const is = (name) => headers[name] && headers[name][0].value === 'true';
    if (is('cloudfront-is-desktop-viewer')) {
        request.uri = '/desktop' + request.uri;
    } else if (is('cloudfront-is-mobile-viewer')) {
        request.uri = '/mobile' + request.uri;
    } else if (is('cloudfront-is-tablet-viewer')) {
        request.uri = '/tablet' + request.uri;
    } else if (is('cloudfront-is-smarttv-viewer')) {
        request.uri = '/smarttv' + request.uri;
    }
    console.log(`Request uri set to "${request.uri}"`);
    callback(null, request);
};""", "python": """def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    headers = request['headers']

    def is_(name):
        return name in headers and headers[name][0]['value'] == 'true'

    if is_('cloudfront-is-desktop-viewer'):
        request['uri'] = '/desktop' + request['uri']
    elif is_('cloudfront-is-mobile-viewer'):
        request['uri'] = '/mobile' + request['uri']
    elif is_('cloudfront-is-tablet-viewer'):
        request['uri'] = '/tablet' + request['uri']
    elif is_('cloudfront-is-smarttv-viewer'):
        request['uri'] = '/smarttv' + request['uri']
    print('Request uri set to %s' % request['uri'])
    return request
"""},
    # -- Dynamic origin selection (custom origins) -----------------------------------------------------
    "origin_domain_by_country": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    if (request.headers['cloudfront-viewer-country']) {
        const countryCode = request.headers['cloudfront-viewer-country'][0].value;
        if (countryCode === 'GB' || countryCode === 'DE' || countryCode === 'IE') {
            const domainName = 'EU_DOMAIN';
            request.origin.custom.domainName = domainName;
            request.headers['host'] = [{key: 'host', value: domainName}];
        }
    }
    callback(null, request);
};""", "python": """def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    viewer_country = request['headers'].get('cloudfront-viewer-country')
    if viewer_country:
        country_code = viewer_country[0]['value']
        if country_code == 'GB' or country_code == 'DE' or country_code == 'IE':
            domain_name = 'EU_DOMAIN'
            request['origin']['custom']['domainName'] = domain_name
            request['headers']['host'] = [{'key': 'host', 'value': domain_name}]
    return request
"""},
    # -- Error statuses (origin response) --------------------------------------------------------------
    "error_status_to_200": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const response = event.Records[0].cf.response;
    if (response.status >= 400 && response.status <= 599) {
        response.status = 200;
        response.statusDescription = 'OK';
        response.body = 'Body generation example';
    }
    callback(null, response);
};""", "python": """def lambda_handler(event, context):
    response = event['Records'][0]['cf']['response']
    if int(response['status']) >= 400 and int(response['status']) <= 599:
        response['status'] = 200
        response['statusDescription'] = 'OK'
        response['body'] = 'Body generation example'
    return response
"""},
    "error_status_to_302": {"node": """'use strict';
exports.handler = (event, context, callback) => {
    const response = event.Records[0].cf.response;
    const request = event.Records[0].cf.request;
    if (response.status >= 400 && response.status <= 599) {
        response.status = 302;
        response.statusDescription = 'Found';
        response.body = '';  // a redirect needs no body
        response.headers['location'] = [{key: 'Location', value: `/plan-b/path?${request.querystring}`}];
    }
    callback(null, response);
};""", "python": """def lambda_handler(event, context):
    response = event['Records'][0]['cf']['response']
    request = event['Records'][0]['cf']['request']
    if int(response['status']) >= 400 and int(response['status']) <= 599:
        response['status'] = 302
        response['statusDescription'] = 'Found'
        response['body'] = ''  # a redirect needs no body
        response['headers']['location'] = [{'key': 'Location', 'value': '/plan-b/path?%s' % request['querystring']}]
    return response
"""},
    # -- The request body (IncludeBody) ----------------------------------------------------------------
    "read_html_form": {"node": """'use strict';
const querystring = require('querystring');
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    if (request.method === 'POST') {
        const body = Buffer.from(request.body.data, 'base64').toString();  // always base64
        const params = querystring.parse(body);
        for (let param in params) {
            console.log(`For "${param}" user submitted "${params[param]}".`);
        }
    }
    return callback(null, request);
};""", "python": """import base64
from urllib.parse import parse_qs

def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    if request['method'] == 'POST':
        body = base64.b64decode(request['body']['data']).decode()  # always base64
        params = {k: v[0] for k, v in parse_qs(body).items()}
        for key, value in params.items():
            print('For "%s" user submitted "%s".' % (key, value))
    return request
"""},
    "modify_html_form": {"node": """'use strict';
const querystring = require('querystring');
exports.handler = (event, context, callback) => {
    var request = event.Records[0].cf.request;
    if (request.method === 'POST') {
        request.body.action = 'replace';
        request.body.encoding = 'text';
        request.body.data = getUpdatedBody(request);
    }
    callback(null, request);
};
function getUpdatedBody(request) {
    const params = querystring.parse(Buffer.from(request.body.data, 'base64').toString());
    params['new-param-name'] = 'new-param-value';
    return querystring.stringify(params);
}""", "python": """import base64
from urllib.parse import parse_qs, urlencode

def lambda_handler(event, context):
    request = event['Records'][0]['cf']['request']
    if request['method'] == 'POST':
        request['body']['action'] = 'replace'
        request['body']['encoding'] = 'text'
        request['body']['data'] = get_updated_body(request)
    return request

def get_updated_body(request):
    body = base64.b64decode(request['body']['data']).decode()
    params = {k: v[0] for k, v in parse_qs(body).items()}
    params['new-param-name'] = 'new-param-value'
    return urlencode(params)
"""},
}


@pytest.fixture(params=["node", "python"])
def language(request):
    return request.param


def deploy(functions, example: str, language: str, **replace) -> str:
    source = EXAMPLES[example][language]
    for old, new in replace.items():
        source = source.replace(old, new)
    if language == "node":
        return version(functions, node(source), runtime="nodejs20.x", handler="index.handler")
    return version(functions, python(source, name="index.py"), runtime="python3.12", handler="index.lambda_handler")


def _cache_policy(client, headers=(), query_strings="none") -> str:
    """A cache policy whose key holds these headers and query strings, as the guide's notes ask for."""
    config = {"Name": f"examples-{uuid.uuid4().hex[:12]}", "MinTTL": 0, "DefaultTTL": 300, "MaxTTL": 3600,
              "ParametersInCacheKeyAndForwardedToOrigin": {
                  "EnableAcceptEncodingGzip": False,
                  "HeadersConfig": {"HeaderBehavior": "whitelist" if headers else "none",
                                    **({"Headers": {"Quantity": len(headers), "Items": list(headers)}}
                                       if headers else {})},
                  "CookiesConfig": {"CookieBehavior": "none"},
                  "QueryStringsConfig": {"QueryStringBehavior": query_strings}}}
    return client.create_cache_policy(CachePolicyConfig=config)["CachePolicy"]["Id"]


def _viewer_address(server, country: str | None) -> str:
    """A loopback address of the test's own, in `country` by the emulator's geo table (US with no entry)."""
    address = f"127.{uuid.uuid4().int % 200 + 20}.{uuid.uuid4().int % 250 + 1}.{uuid.uuid4().int % 250 + 1}"
    if country is not None:
        requests.post(server.url + "/_cloudfront-local/geo", json={"cidr": f"{address}/32", "country": country},
                      timeout=5).raise_for_status()
    return address


def _logged(server, text: str) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(text in line for line in list(server.lines)):
            return True
        time.sleep(0.05)
    return False


# -- General examples ------------------------------------------------------------------------------------
def test_ab_testing_rewrites_the_uri_by_the_experiment_cookie(server, client, functions, origin, origin_port,
                                                              language):
    domain = distribution(client, origin, origin_port, viewer_request=deploy(functions, "ab_testing", language))
    paths = {}
    for cookie in ("X-Experiment-Name=B", "First=1; X-Experiment-Name=A", None):
        status, _, body = get(server, domain, "/experiment-pixel.jpg", {"Cookie": cookie} if cookie else {})
        assert status == 200, body
        paths[cookie] = json.loads(body)["path"]
    assert paths["X-Experiment-Name=B"] == "/experiment-group/treatment-pixel.jpg"
    assert paths["First=1; X-Experiment-Name=A"] == "/experiment-group/control-pixel.jpg"
    assert paths[None] in ("/experiment-group/control-pixel.jpg", "/experiment-group/treatment-pixel.jpg")
    status, _, body = get(server, domain, "/other.jpg", {"Cookie": "X-Experiment-Name=B"})
    assert status == 200 and json.loads(body)["path"] == "/other.jpg"
    assert _logged(server, "Experiment B cookie found")


def test_override_a_response_header_with_another_headers_value(server, client, functions, origin, origin_port,
                                                              language):
    domain = distribution(client, origin, origin_port, cache_policy=CACHING_OPTIMIZED,
                          origin_response=deploy(functions, "override_response_header", language))
    for expected_cache in ("Miss from cloudfront", "Hit from cloudfront"):  # what it changed is cached
        status, headers, _ = get(server, domain, "/meta/object.txt")
        assert status == 200 and headers["x-cache"] == expected_cache
        assert headers["last-modified"] == "Wed, 01 Jan 2025 12:00:00 GMT"
        assert headers["x-amz-meta-last-modified"] == "Wed, 01 Jan 2025 12:00:00 GMT"
    # Where the source header is absent, the response goes on unchanged.
    status, headers, _ = get(server, domain, "/plain.txt")
    assert status == 200 and "last-modified" not in headers


# -- Generating responses --------------------------------------------------------------------------------
def test_serving_static_content_from_a_generated_response(server, client, functions, origin, origin_port,
                                                          language):
    domain = distribution(client, origin, origin_port, viewer_request=deploy(functions, "static_content", language))
    status, headers, body = get(server, domain, "/index.html")
    assert status == 200 and body.decode() == PAGE
    assert headers["content-type"] == "text/html" and headers["cache-control"] == "max-age=100"
    assert headers["x-cache"] == "LambdaGeneratedResponse from cloudfront"
    assert not asked(origin)


def test_serving_static_content_gzip_compressed_in_base64(server, client, functions, origin, origin_port,
                                                          language):
    domain = distribution(client, origin, origin_port,
                          viewer_request=deploy(functions, "static_content_gzip", language))
    status, headers, body = get(server, domain, "/index.html", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert gzip.decompress(body).decode() == PAGE
    assert not asked(origin)


def test_generating_an_http_redirect(server, client, functions, origin, origin_port, language):
    domain = distribution(client, origin, origin_port, viewer_request=deploy(functions, "http_redirect", language))
    status, headers, _ = get(server, domain, "/old/place")
    assert status == 302 and headers["location"] == "http://docs.aws.amazon.com/lambda/latest/dg/lambda-edge.html"
    assert headers["x-cache"] == "LambdaGeneratedResponse from cloudfront" and not asked(origin)


# -- Query strings ---------------------------------------------------------------------------------------
def test_adding_a_header_based_on_a_query_string_parameter(server, client, functions, origin, origin_port,
                                                           language):
    domain = distribution(client, origin, origin_port,
                          viewer_request=deploy(functions, "header_from_query_string", language))
    status, _, body = get(server, domain, "/page?auth=s3cret&color=red")
    assert status == 200, body
    seen = json.loads(body)
    assert seen["headers"]["auth-header"] == "s3cret" and seen["path"] == "/page?color=red"


def test_normalizing_query_strings_improves_the_cache_hit_ratio(server, client, functions, origin, origin_port,
                                                                language):
    domain = distribution(client, origin, origin_port, cache_policy=_cache_policy(client, query_strings="all"),
                          viewer_request=deploy(functions, "normalize_query_string", language))
    first = get(server, domain, "/list?Size=M&Color=Red")
    second = get(server, domain, "/list?color=red&size=m")
    assert first[0] == second[0] == 200
    assert first[1]["x-cache"] == "Miss from cloudfront" and second[1]["x-cache"] == "Hit from cloudfront"
    assert [r["path"] for r in asked(origin)] == ["/list?color=red&size=m"]


def test_redirecting_unauthenticated_users_to_a_sign_in_page(server, client, functions, origin, origin_port,
                                                             language):
    domain = distribution(client, origin, origin_port,
                          viewer_request=deploy(functions, "redirect_to_sign_in", language))
    status, headers, _ = get(server, domain, "/account/orders?page=2")
    assert status == 302 and headers["x-cache"] == "LambdaGeneratedResponse from cloudfront"
    location = urllib.parse.urlsplit(headers["location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "www.example.com", "/signin")
    assert urllib.parse.parse_qs(location.query) == {
        "redirect_url": [f"https://{domain}/account/orders?page=2"]}
    assert not asked(origin)
    status, _, body = get(server, domain, "/account/orders", {"Cookie": "theme=dark; session-id=abc123"})
    assert status == 200 and json.loads(body)["path"] == "/account/orders"


# -- Country and device headers --------------------------------------------------------------------------
def test_redirecting_viewers_to_a_country_specific_url(server, client, functions, origin, origin_port, language):
    policy = _cache_policy(client, headers=("CloudFront-Viewer-Country",))
    domain = distribution(client, origin, origin_port, cache_policy=policy,
                          origin_request=deploy(functions, "redirect_by_country", language))
    for country, url in (("TW", "https://tw.example.com/"), (None, "https://us.example.com/"),
                         ("FR", "https://example.com/")):
        status, headers, _ = get(server, domain, "/", source=_viewer_address(server, country))
        assert status == 302 and headers["location"] == url, (country, headers)
    assert not asked(origin)


@pytest.mark.parametrize("user_agent,prefix", [
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
     "/desktop"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "/mobile"),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Safari/604.1", "/tablet"),
    ("Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) SamsungBrowser/4.0 TV "
     "Safari/538.1", "/smarttv"),
], ids=["desktop", "mobile", "tablet", "smarttv"])
def test_serving_a_version_of_the_object_for_the_viewers_device(server, client, functions, origin, origin_port,
                                                                language, user_agent, prefix):
    policy = _cache_policy(client, headers=("CloudFront-Is-Desktop-Viewer", "CloudFront-Is-Mobile-Viewer",
                                            "CloudFront-Is-Tablet-Viewer", "CloudFront-Is-SmartTV-Viewer"))
    domain = distribution(client, origin, origin_port, cache_policy=policy,
                          origin_request=deploy(functions, "object_by_device", language))
    status, _, body = get(server, domain, "/banner.png", {"User-Agent": user_agent})
    assert status == 200 and json.loads(body)["path"] == prefix + "/banner.png"


def test_changing_the_origin_domain_name_by_the_country_header(server, client, functions, origin, origin_port,
                                                               language):
    europe = dns(server)  # stands for the guide's eu.example.com
    policy = _cache_policy(client, headers=("CloudFront-Viewer-Country",))
    domain = distribution(client, origin, origin_port, cache_policy=policy,
                          origin_request=deploy(functions, "origin_domain_by_country", language, EU_DOMAIN=europe))
    status, _, body = get(server, domain, "/catalog", source=_viewer_address(server, "GB"))
    assert status == 200 and json.loads(body)["headers"]["host"] == europe
    assert [r["path"] for r in asked(europe)] == ["/catalog"] and not asked(origin)
    status, _, body = get(server, domain, "/catalog", source=_viewer_address(server, "JP"))
    assert status == 200 and [r["path"] for r in asked(origin)] == ["/catalog"]


# -- Error statuses --------------------------------------------------------------------------------------
def test_updating_an_error_status_to_200_with_a_static_body(server, client, functions, origin, origin_port,
                                                            language):
    domain = distribution(client, origin, origin_port, cache_policy=CACHING_OPTIMIZED,
                          origin_response=deploy(functions, "error_status_to_200", language))
    for expected_cache in ("Miss from cloudfront", "Hit from cloudfront"):
        status, headers, body = get(server, domain, "/missing/page")
        assert (status, body) == (200, b"Body generation example") and headers["x-cache"] == expected_cache
    status, _, body = get(server, domain, "/found/page")
    assert status == 200 and json.loads(body)["path"] == "/found/page"


def test_updating_an_error_status_to_302_found(server, client, functions, origin, origin_port, language):
    domain = distribution(client, origin, origin_port,
                          origin_response=deploy(functions, "error_status_to_302", language))
    status, headers, body = get(server, domain, "/missing/page?campaign=spring")
    assert status == 302 and headers["location"] == "/plan-b/path?campaign=spring" and body == b""


# -- The request body ------------------------------------------------------------------------------------
def test_reading_an_html_form_in_a_request_trigger(server, client, functions, origin, origin_port, language):
    domain = distribution(client, origin, origin_port, include_body=("viewer_request",),
                          viewer_request=deploy(functions, "read_html_form", language))
    marker = uuid.uuid4().hex
    form = f"name1={marker}&name2=two+words"
    status, _, body = get(server, domain, "/contact", method="POST", body=form.encode(),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body)["body"] == form
    assert _logged(server, f'For "name1" user submitted "{marker}".')
    assert _logged(server, 'For "name2" user submitted "two words".')


def test_modifying_an_html_form_in_a_request_trigger(server, client, functions, origin, origin_port, language):
    domain = distribution(client, origin, origin_port, include_body=("viewer_request",),
                          viewer_request=deploy(functions, "modify_html_form", language))
    status, _, body = get(server, domain, "/contact", method="POST", body=b"name1=value1&name2=value2",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert json.loads(body)["body"] == "name1=value1&name2=value2&new-param-name=new-param-value"
