"""RTMP streaming distributions: CloudFront discontinued them on 31 December 2020 and deleted every one, but
the operations remain in the API. Nobody can have one: lists are empty, lookups find none, and a new one is
refused."""
from __future__ import annotations

from ..common import errors, paging
from ..common.registry import operation

DISCONTINUED = ("CloudFront discontinued RTMP distributions on December 31, 2020: serve media through a web "
                "distribution instead.")


def _none(ctx, tx, params):
    raise errors.NoSuchStreamingDistribution("The specified streaming distribution does not exist.")


def _refused(ctx, tx, params):
    raise errors.InvalidArgument(DISCONTINUED)


for _name in ("GetStreamingDistribution", "GetStreamingDistributionConfig", "UpdateStreamingDistribution",
              "DeleteStreamingDistribution"):
    operation(_name)(_none)
for _name in ("CreateStreamingDistribution", "CreateStreamingDistributionWithTags"):
    operation(_name)(_refused)


@operation("ListStreamingDistributions")
def list_streaming_distributions(ctx, tx, params):
    return {"StreamingDistributionList": {"Marker": params.get("Marker") or "",
                                          "MaxItems": paging.max_items(params.get("MaxItems")),
                                          "IsTruncated": False, "Quantity": 0}}
