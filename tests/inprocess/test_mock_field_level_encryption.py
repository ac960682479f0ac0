"""Field-level encryption in-process: `mock_cloudfront().edge_request` encrypts a POST form's fields before a
real origin server sees them, and the AWS Encryption SDK opens them with the private key."""
from __future__ import annotations

import http.server
import threading
from urllib.parse import parse_qsl

import boto3

from builders import direct_config
from cloudfront_local import mock_cloudfront
from field_level_decryption import Keys, decrypt

FORM = "application/x-www-form-urlencoded"


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)  # what arrived, back to the test

    def log_message(self, *args):
        pass


def test_field_level_encryption_in_process():
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    keys = Keys()
    try:
        with mock_cloudfront() as mock:
            client = boto3.client("cloudfront", region_name="us-east-1")
            key_id = client.create_public_key(PublicKeyConfig={
                "CallerReference": "k", "Name": "shop-key", "EncodedKey": keys.public_pem})["PublicKey"]["Id"]
            profile = client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig={
                "Name": "shop", "CallerReference": "p", "EncryptionEntities": {"Quantity": 1, "Items": [{
                    "PublicKeyId": key_id, "ProviderId": "shop-provider",
                    "FieldPatterns": {"Quantity": 1, "Items": ["card*"]}}]}})["FieldLevelEncryptionProfile"]["Id"]
            fle = client.create_field_level_encryption_config(FieldLevelEncryptionConfig={
                "CallerReference": "c", "ContentTypeProfileConfig": {
                    "ForwardWhenContentTypeIsUnknown": False, "ContentTypeProfiles": {"Quantity": 1, "Items": [
                        {"ContentType": FORM, "Format": "URLEncoded", "ProfileId": profile}]}}})
            mock.add_dns_record("shop.example.com", "A", "127.0.0.1")
            custom = {"HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}
            config = direct_config(
                Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "shop.example.com",
                                                   "CustomOriginConfig": custom}]},
                DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "https-only",
                                      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
                                      "AllowedMethods": {"Quantity": 7, "Items": [
                                          "GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]},
                                      "FieldLevelEncryptionId": fle["FieldLevelEncryption"]["Id"]})
            domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]
            answer = mock.edge_request("POST", f"https://{domain}/pay", headers={"Content-Type": FORM},
                                       body=b"who=Ann&card_number=4111+1111")
            assert answer.status == 200
            fields = dict(parse_qsl(answer.body.decode()))
            assert fields["who"] == "Ann" and "4111" not in answer.body.decode()
            assert decrypt(fields["card_number"], keys, "shop-provider", "shop-key")[0] == b"4111 1111"
            refused = mock.edge_request("POST", f"https://{domain}/pay", headers={"Content-Type": "text/plain"},
                                        body=b"card=1")
            assert refused.status == 400 and refused.header("x-cache") == "Error from cloudfront"
    finally:
        origin.shutdown()
