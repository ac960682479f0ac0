"""The one reader of NAME=VALUE&… text the request log's query and the dashboard's forms and queries share."""
import pytest

from cloudfront_local.urlencoded import fields


def test_pairs_with_blank_values_and_escapes():
    assert fields("a=1&b=&c=%20x+y", 5) == {"a": "1", "b": "", "c": " x y"}
    assert fields("", 5) == {}


@pytest.mark.parametrize("text", ["a=1&a=2", "&&&", "a=1&", "=&=", "a=b&" * 5 + "z=1", "x" * 50])
def test_what_is_not_bounded_pairs_each_named_once_is_refused(text):
    with pytest.raises(ValueError):
        fields(text, 5)


def test_the_bound_is_counted_before_any_pair_is_made():
    with pytest.raises(ValueError, match="up to 20"):
        fields("&".join(["a=b"] * 100_000), 20)
