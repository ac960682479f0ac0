"""Real CloudFront Functions and the events AWS's examples test them with, shared by the runtime's unit tests
and the TestFunction acceptance tests: the code of aws-samples/amazon-cloudfront-functions and the developer
guide, and the test event of that repository."""
from __future__ import annotations

import json

V1, V2 = "cloudfront-js-1.0", "cloudfront-js-2.0"

PREFIX = "The CloudFront function associated with the CloudFront distribution is invalid or could not run. "

# The test event of aws-samples/amazon-cloudfront-functions (its "multivalue" misspelt, as it is there).
SAMPLE_REQUEST = {
    "method": "GET", "uri": "/index.html",
    "querystring": {"test": {"value": "true"},
                    "arg": {"value": "val1", "multivalue": [{"value": "val1"}, {"value": "val2"}]}},
    "headers": {"host": {"value": "www.example.com"},
                "accept": {"value": "text/html", "multivalue": [{"value": "text/html"},
                                                                {"value": "application/xhtml+xml"}]}},
    "cookies": {"id": {"value": "CookeIdValue"}, "loggedIn": {"value": "false"}}}


def event(event_type="viewer-request", request=None, response=None, **request_changes) -> bytes:
    body = {"version": "1.0", "context": {"eventType": event_type}, "viewer": {"ip": "0.0.0.0"},
            "request": dict(request or SAMPLE_REQUEST, **request_changes)}
    if response is not None:
        body["response"] = response
    return json.dumps(body).encode()


URL_REWRITE = """async function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}"""

REDIRECT = """function handler(event) {
    var request = event.request;
    var headers = request.headers;
    var host = request.headers.host.value;
    var country = 'DE' // Choose a country code
    var newurl = `https://${host}/de/index.html` // Change the redirect URL to your choice

    if (headers['cloudfront-viewer-country']) {
        var countryCode = headers['cloudfront-viewer-country'].value;
        if (countryCode === country) {
            var response = {
                statusCode: 302,
                statusDescription: 'Found',
                headers:
                    { "location": { "value": newurl } }
                }

            return response;
        }
    }
    return request;
}"""

TRUE_CLIENT_IP = """async function handler(event) {
    var request = event.request;
    var clientIP = event.viewer.ip;
    request.headers['true-client-ip'] = {value: clientIP};
    return request;
}"""

SECURITY_HEADERS = """function handler(event) {
    var response = event.response;
    var headers = response.headers;
    headers['strict-transport-security'] = { value: 'max-age=63072000; includeSubdomains; preload'};
    headers['content-security-policy'] = { value: "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'"};
    headers['x-content-type-options'] = { value: 'nosniff'};
    headers['x-frame-options'] = {value: 'DENY'};
    headers['x-xss-protection'] = {value: '1; mode=block'};
    return response;
}"""

SAMPLE_RESPONSE = {
    "statusCode": 200, "statusDescription": "OK",
    "headers": {"server": {"value": "CustomOriginServer"}, "content-type": {"value": "text/html; charset=UTF-8"},
                "content-length": {"value": "9593"}},
    "cookies": {"id": {"value": "a3fWa", "multivalue": [{"value": "a3fWa"}, {"value": "a3fWb"}],
                       "attributes": "Expires=Wed, 05 Jan 2024 07:28:00 GMT"},
                "loggedIn": {"value": "true",
                             "attributes": "Secure; Path=/; Domain=example.com; Expires=Wed, 05 Jan 2024 07:28:00 GMT"}}}


AB_TEST = """function handler(event) {
    var request = event.request;
    var cookie = request.cookies['ab-group'];
    var group = cookie ? cookie.value : (Math.random() < 0.5 ? 'a' : 'b');
    if (request.uri === '/') request.uri = '/' + group + '/index.html';
    console.log('group ' + group);
    return request;
}"""


KVS_BY_HOST = """import cf from 'cloudfront';
const kvs = cf.kvs();

async function handler(event) {
    const request = event.request;
    try {
        const prefix = await kvs.get(request.headers.host.value);
        request.uri = prefix + request.uri;
    } catch (err) {
        console.log(`no prefix: ${err}`);
    }
    return request;
}"""


CONNECTION = json.dumps({
    "clientCertificate": {"certificates": {"leaf": {
        "serialNumber": "00:9e:2a:af:16:56:e5:47:25:7d:2e:38:c3:f9:9d:57:fa",
        "issuer": "C=US, O=Ram, OU=Edge, ST=WA, CN=mTLS-CA, L=Snoqualmie",
        "subject": "C=US, O=Ram, OU=AuthorizedDevices, ST=WA, CN=mTLS-CA, L=Snoqualmie",
        "validity": {"notBefore": "2025-09-10T23:43:10Z", "notAfter": "2055-09-11T00:43:02Z"},
        "sha256Fingerprint": "_w6bJ7aOAlGOj7NUhJxTfsfee-ONg_xop3_PTgTJpqs="}}},
    "clientIp": "127.0.0.1", "endpoint": "d3lch071jze0cb.cloudfront.net", "distributionId": "E1NXS4MQZH501R",
    "connectionId": "NpvTe1925xfj24a67sPQr7ae42BIq03FGhJJKfrQYWZcWZFp96SIIg=="}).encode()

REVOCATION = """import cf from 'cloudfront';

async function connectionHandler(connection) {
    const kvsHandle = cf.kvs();
    const isRevoked = await kvsHandle.exists(connection.clientCertificate.certificates.leaf.serialNumber);
    if (isRevoked) {
        connection.logCustomData(`REVOKED_CERT:${connection.clientCertificate.certificates.leaf.serialNumber}`);
        return connection.deny();
    }
    connection.logCustomData(`VALID_CERT:${connection.clientCertificate.certificates.leaf.serialNumber}`);
    return connection.allow();
}"""


def published(client, account: str, name: str, code: str, event_type: str = "viewer-request") -> dict:
    """A function created and published through the API; the FunctionAssociations a behavior names it with."""
    made = client.create_function(Name=name, FunctionCode=code.encode(),
                                  FunctionConfig={"Comment": "", "Runtime": V2})
    client.publish_function(Name=name, IfMatch=made["ETag"])
    return {"Quantity": 1, "Items": [{"FunctionARN": f"arn:aws:cloudfront::{account}:function/{name}",
                                      "EventType": event_type}]}
