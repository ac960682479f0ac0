"""The simulated geo table as Python calls on `mock_cloudfront`, the in-process twin of `/_cloudfront-local/geo`."""
import pytest

from cloudfront_local import mock_cloudfront
from cloudfront_local.edge.geo import BadEntry


def test_the_geo_table_is_a_python_call_in_process():
    with mock_cloudfront() as mock:
        assert mock.geo_entries() == []
        assert mock.add_geo("192.0.2.9/24", "fr") == {"cidr": "192.0.2.0/24", "country": "FR"}
        assert mock.add_geo("2001:db8::/32", "DE") == {"cidr": "2001:db8::/32", "country": "DE"}
        mock.add_geo("192.0.2.0/24", "JP")  # the same network again: a new country, not a second entry
        assert mock.geo_entries() == [{"cidr": "192.0.2.0/24", "country": "JP"},
                                      {"cidr": "2001:db8::/32", "country": "DE"}]
        assert mock.application.country_of("192.0.2.200") == "JP"
        assert mock.application.country_of("203.0.113.1") == "US"
        assert mock.clear_geo() is None and mock.geo_entries() == []


@pytest.mark.parametrize("cidr, country", [("192.0.2.0/33", "FR"), ("somewhere", "FR"), ("192.0.2.0/24", "FRA"),
                                           ("192.0.2.0/24", None), (None, "FR")])
def test_a_bad_entry_raises_bad_entry(cidr, country):
    with mock_cloudfront() as mock:
        with pytest.raises(BadEntry):
            mock.add_geo(cidr, country)
        assert mock.geo_entries() == []


def test_each_activation_starts_with_an_empty_table():
    with mock_cloudfront() as mock:
        mock.add_geo("192.0.2.0/24", "FR")
    with mock_cloudfront() as mock:
        assert mock.geo_entries() == []
