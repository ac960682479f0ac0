"""Lambda@Edge in-process: a function made with boto3's `lambda` client under mock_cloudfront, attached to a
distribution, runs on `mock.edge_request` as on a server's edge, in Node.js and in Python."""
from __future__ import annotations

import http.server
import threading

import boto3

from builders import direct_config
from cloudfront_local import mock_cloudfront
from lambda_zips import ROLE, node, python

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

NODE_VIEWER_REQUEST = node("""exports.handler = async (event) => {
    const request = event.Records[0].cf.request;
    if (request.uri === '/login') {
        return {status: '302', statusDescription: 'Found',
                headers: {location: [{key: 'Location', value: 'https://auth.example.com/?next=/login'}]}};
    }
    request.headers['x-from-node'] = [{key: 'X-From-Node', value: event.Records[0].cf.config.eventType}];
    return request;
};""")

PYTHON_ORIGIN_RESPONSE = python("""def handler(event, context):
    cf = event['Records'][0]['cf']
    response = cf['response']
    response['headers']['x-from-python'] = [{'key': 'X-From-Python',
                                             'value': cf['config']['eventType'] + ' ' + response['status']}]
    return response
""")


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = f"{self.path} {self.headers.get('X-From-Node')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_node_and_python_lambda_edge_functions_run_in_process():
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with mock_cloudfront() as mock:
            functions = boto3.client("lambda", region_name="us-east-1")
            arns = {}
            for name, runtime, handler, code in (("viewer", "nodejs20.x", "index.handler", NODE_VIEWER_REQUEST),
                                                 ("origin", "python3.12", "app.handler", PYTHON_ORIGIN_RESPONSE)):
                arns[name] = functions.create_function(FunctionName=name, Runtime=runtime, Role=ROLE,
                                                       Handler=handler, Code={"ZipFile": code},
                                                       Publish=True)["FunctionArn"]
            mock.add_dns_record("app.example.com", "A", "127.0.0.1")
            config = direct_config(
                Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "app.example.com",
                                                   "CustomOriginConfig": {"HTTPPort": origin.server_address[1],
                                                                          "HTTPSPort": 443,
                                                                          "OriginProtocolPolicy": "http-only"}}]},
                DefaultCacheBehavior={
                    "TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                    "CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                    "LambdaFunctionAssociations": {"Quantity": 2, "Items": [
                        {"EventType": "viewer-request", "LambdaFunctionARN": arns["viewer"]},
                        {"EventType": "origin-response", "LambdaFunctionARN": arns["origin"]}]}})
            domain = boto3.client("cloudfront", region_name="us-east-1").create_distribution(
                DistributionConfig=config)["Distribution"]["DomainName"]

            answer = mock.edge_request("GET", f"http://{domain}/page")
            # Node's viewer-request header reached the origin; Python's origin-response header the viewer.
            assert (answer.status, answer.body) == (200, b"/page viewer-request")
            assert answer.header("x-from-python") == "origin-response 200"
            assert answer.header("x-cache") == "Miss from cloudfront"

            login = mock.edge_request("GET", f"http://{domain}/login")
            assert login.status == 302 and login.header("location") == "https://auth.example.com/?next=/login"
            assert login.header("x-cache") == "LambdaGeneratedResponse from cloudfront"
            assert login.header("x-from-python") is None  # no origin was asked, so no origin-response ran
    finally:
        origin.shutdown()


def test_lambda_left_to_motos_mock_runs_from_there():
    """mock_cloudfront(lambda_api=False) beside moto's mock_aws: the function is made in moto's Lambda, and the
    edge reads its code from there."""
    from moto import mock_aws

    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        # moto answers Lambda and IAM; CloudFront passes through to mock_cloudfront (moto 5's passthrough).
        with mock_aws(config={"core": {"passthrough": {"services": ["cloudfront"]}}}), \
                mock_cloudfront(lambda_api=False) as mock:
            iam = boto3.client("iam", region_name="us-east-1")
            role = iam.create_role(RoleName="edge", AssumeRolePolicyDocument=(
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":'
                '["lambda.amazonaws.com","edgelambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}'))["Role"]["Arn"]
            functions = boto3.client("lambda", region_name="us-east-1")
            functions.create_function(FunctionName="viewer", Runtime="nodejs20.x", Role=role,
                                      Handler="index.handler", Code={"ZipFile": NODE_VIEWER_REQUEST})
            arn = functions.publish_version(FunctionName="viewer")["FunctionArn"]
            assert functions.list_functions()["Functions"][0]["Role"] == role  # moto's answer, not ours
            with mock.application.store.transaction() as tx:
                assert tx.get("lambda-version", arn.split(":")[4], "viewer:" + arn.rsplit(":", 1)[1]) is None
            mock.add_dns_record("app.example.com", "A", "127.0.0.1")
            config = direct_config(
                Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "app.example.com",
                                                   "CustomOriginConfig": {"HTTPPort": origin.server_address[1],
                                                                          "HTTPSPort": 443,
                                                                          "OriginProtocolPolicy": "http-only"}}]},
                DefaultCacheBehavior={
                    "TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                    "CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST,
                    "LambdaFunctionAssociations": {"Quantity": 1, "Items": [
                        {"EventType": "viewer-request", "LambdaFunctionARN": arn}]}})
            domain = boto3.client("cloudfront", region_name="us-east-1").create_distribution(
                DistributionConfig=config)["Distribution"]["DomainName"]
            answer = mock.edge_request("GET", f"http://{domain}/page")
            assert (answer.status, answer.body) == (200, b"/page viewer-request")
    finally:
        origin.shutdown()
