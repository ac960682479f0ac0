"""The calls measured: create, get, list and update of connection groups, as a boto3 user makes them."""
from __future__ import annotations

import itertools

import boto3
import botocore.config

_names = itertools.count()


def client(endpoint_url: str | None = None):
    return boto3.client("cloudfront", endpoint_url=endpoint_url, region_name="us-east-1",
                        aws_access_key_id="123456789012", aws_secret_access_key="bench",
                        config=botocore.config.Config(retries={"max_attempts": 1}))


class Workload:
    """One group to read and update, ten more to list; then each call is a closure."""

    def __init__(self, cf):
        self.cf = cf
        created = cf.create_connection_group(Name=f"bench-{next(_names)}")
        self.group_id = created["ConnectionGroup"]["Id"]
        self.etag = created["ETag"]
        for _ in range(9):
            cf.create_connection_group(Name=f"bench-{next(_names)}")

    def create(self):
        self.cf.create_connection_group(Name=f"bench-{next(_names)}")

    def get(self):
        self.cf.get_connection_group(Identifier=self.group_id)

    def list(self):
        self.cf.list_connection_groups(MaxItems=10)

    def update(self):
        self.etag = self.cf.update_connection_group(Id=self.group_id, IfMatch=self.etag, Ipv6Enabled=False)["ETag"]


OPERATIONS = ("create", "get", "list", "update")
