"""Real-time logs: a cache behavior whose RealtimeLogConfigArn names a real-time log configuration sends, for
SamplingRate percent of its viewer requests, one record to each Kinesis data stream the configuration's
EndPoints name: the configured fields' values, tab-separated, in the order CloudFront sends them (the
Developer Guide's list, "Real-time log configuration fields"; the API says a configuration's Fields come back
"in the same order in which they are sent"), "-" for a value there is none of, a newline at the end.

Records go to --kinesis-endpoint with PutRecords (SigV4 for service kinesis, in the stream's region), or,
without an endpoint, are appended to a file per stream in --log-dir. They are sent every --log-flush-seconds
and at shutdown; what waits is bounded by --log-buffer-lines."""
from __future__ import annotations

import base64
import json
import logging
import os
import random
import re
import urllib.error
import urllib.parse
import urllib.request

from ..service.common import ids
from ..service.observability.realtime_logs import KIND
from .log_buffer import LogBuffer
from .standard_logs import escape, values
from .viewed import Viewed

log = logging.getLogger("cloudfront_local")

# CloudFront's order of the real-time log fields (Developer Guide, "Real-time log configuration fields").
ORDER = ("timestamp c-ip time-to-first-byte sc-status sc-bytes cs-method cs-protocol cs-host cs-uri-stem cs-bytes "
         "x-edge-location x-edge-request-id x-host-header time-taken cs-protocol-version c-ip-version "
         "cs-user-agent cs-referer cs-cookie cs-uri-query x-edge-response-result-type x-forwarded-for "
         "ssl-protocol ssl-cipher x-edge-result-type fle-encrypted-fields fle-status sc-content-type "
         "sc-content-len sc-range-start sc-range-end c-port x-edge-detailed-result-type c-country "
         "cs-accept-encoding cs-accept cache-behavior-path-pattern cs-headers cs-header-names cs-headers-count "
         "primary-distribution-id primary-distribution-dns-name origin-fbl origin-lbl asn").split()
# Real-time names of the fields the standard log has too.
_STANDARD = {"cs-host": "cs(Host)", "cs-user-agent": "cs(User-Agent)", "cs-referer": "cs(Referer)",
             "cs-cookie": "cs(Cookie)"}
_STREAM = re.compile(r"arn:aws[a-z-]*:kinesis:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
                     r"stream/(?P<name>[A-Za-z0-9_.-]{1,128})")
MAX_RECORDS_PER_CALL = 500  # PutRecords' own limit (Kinesis API Reference)


def ordered(fields: list[str]) -> list[str]:
    """The configured fields in CloudFront's order; a name the list above lacks goes last, as configured."""
    known = [name for name in ORDER if name in fields]
    return known + [name for name in fields if name not in ORDER]


def record(viewed: Viewed, fields: list[str], behavior: dict | None = None) -> str:
    standard = values(viewed, include_cookies=True)
    headers = viewed.headers
    distribution = viewed.site.distribution if viewed.site is not None else {}
    behavior = behavior or viewed.behavior or {}
    ip = viewed.viewer_ip
    special = {
        "timestamp": f"{viewed.ended:.3f}", "cs-host": distribution.get("DomainName"),
        "c-ip-version": "IPv6" if ":" in ip else "IPv4", "c-country": viewed.country,
        "cs-accept-encoding": viewed.header("accept-encoding"), "cs-accept": viewed.header("accept"),
        "cache-behavior-path-pattern": behavior.get("PathPattern", "*"),
        "cs-headers": "\n".join(f"{k}:{v}" for k, v in headers) or None,
        "cs-header-names": "\n".join(k for k, _ in headers) or None, "cs-headers-count": len(headers),
        "primary-distribution-id": distribution.get("Id"),
        "primary-distribution-dns-name": distribution.get("DomainName"),
    }
    out = []
    for name in ordered(fields):
        if name in special:
            value = special[name]
        else:
            value = standard.get(_STANDARD.get(name, name))
        out.append(escape(value))
    return "\t".join(out) + "\n"


def stream_of(arn: str) -> tuple[str, str, str] | None:
    """(region, account, stream name) of a Kinesis stream ARN, or None."""
    found = _STREAM.fullmatch(arn or "")
    return (found["region"], found["account"], found["name"]) if found else None


class RealtimeLogs(LogBuffer):
    """Records waiting for their stream, by StreamARN (partition key, record); a thread sends them."""
    noun = "record(s)"

    def __init__(self, settings):
        super().__init__(settings, "real-time logs")

    def config_for(self, tx, site, behavior: dict) -> dict | None:
        """The real-time log configuration the request's behavior names, read on the caller's thread."""
        arn = behavior.get("RealtimeLogConfigArn")
        if not arn or site is None:
            return None
        parsed = ids.parse_arn(arn)
        if not parsed or parsed[0] != site.account:
            return None
        found = tx.get(KIND, parsed[0], parsed[2])
        return found.doc if found is not None else None

    def record(self, viewed: Viewed, config: dict, behavior: dict) -> None:
        if random.random() * 100 >= config["SamplingRate"]:
            return
        text = record(viewed, config["Fields"], behavior)
        self.add([((endpoint.get("KinesisStreamConfig") or {}).get("StreamARN") or "", (viewed.request_id or "-", text))
                  for endpoint in config["EndPoints"]])

    def deliver(self, arn, records: list) -> str | None:
        return self._send(arn, records)

    def _send(self, arn: str, records: list[tuple[str, str]]) -> str | None:
        stream = stream_of(arn)
        if stream is None:
            return "the StreamARN is not a Kinesis data stream's ARN"
        if self.settings.kinesis_endpoint:
            for start in range(0, len(records), MAX_RECORDS_PER_CALL):
                problem = put_records(self.settings.kinesis_endpoint, arn, stream,
                                      records[start:start + MAX_RECORDS_PER_CALL])
                if problem:
                    return problem
            return None
        if self.settings.log_dir:
            region, account, name = stream
            path = os.path.join(self.settings.log_dir, f"kinesis-{account}-{region}-{name}.log")
            with open(path, "a", encoding="utf-8") as file:
                file.write("".join(text for _, text in records))
            return None
        return "neither --kinesis-endpoint nor --log-dir is given"


def put_records(endpoint: str, arn: str, stream: tuple[str, str, str], records) -> str | None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from .s3_origin import ACCESS_KEY_ID, SECRET_ACCESS_KEY

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"the Kinesis endpoint {endpoint!r} is not an http:// or https:// URL"
    body = json.dumps({"StreamName": stream[2], "StreamARN": arn,
                       "Records": [{"Data": base64.b64encode(text.encode("utf-8")).decode(), "PartitionKey": key}
                                   for key, text in records]}).encode()
    url = endpoint.rstrip("/") + "/"
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": "Kinesis_20131202.PutRecords"})
    SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), "kinesis", stream[0]).add_auth(request)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST",
                                                           headers=dict(request.headers.items())),
                                    timeout=10) as answer:
            result = json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return f"PutRecords answered {error.code}: {error.read()[:300]!r}"
    except (OSError, ValueError) as error:
        return f"PutRecords failed: {error}"
    if result.get("FailedRecordCount"):
        return f"{result['FailedRecordCount']} record(s) refused by the stream"
    return None
