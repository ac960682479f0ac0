"""The geo table's rules without a server: entries, the most specific network, US by default, Restrictions."""
import pytest

from cloudfront_local.edge import geo
from cloudfront_local.store.memory import MemoryStore


@pytest.fixture
def tx():
    with MemoryStore().transaction() as transaction:
        yield transaction


def test_an_empty_table_puts_every_viewer_in_the_us(tx):
    assert geo.country_of(tx, "192.0.2.1") == "US"
    assert geo.country_of(tx, "2001:db8::1") == "US"


def test_entries_are_normalised(tx):
    assert geo.add(tx, {"cidr": "10.1.2.3/8", "country": "fr"}) == {"cidr": "10.0.0.0/8", "country": "FR"}
    assert geo.add(tx, {"cidr": "2001:DB8:0::/32", "country": "De"}) == {"cidr": "2001:db8::/32", "country": "DE"}
    assert geo.add(tx, {"cidr": "192.0.2.7", "country": "JP"}) == {"cidr": "192.0.2.7/32", "country": "JP"}
    assert geo.listing(tx) == [{"cidr": "10.0.0.0/8", "country": "FR"}, {"cidr": "2001:db8::/32", "country": "DE"},
                               {"cidr": "192.0.2.7/32", "country": "JP"}]


def test_the_same_network_again_takes_the_new_country(tx):
    geo.add(tx, {"cidr": "10.0.0.0/8", "country": "FR"})
    geo.add(tx, {"cidr": "10.9.9.9/8", "country": "IT"})
    assert geo.listing(tx) == [{"cidr": "10.0.0.0/8", "country": "IT"}]
    assert geo.country_of(tx, "10.1.1.1") == "IT"


@pytest.mark.parametrize("entry", [
    {"cidr": "10.0.0.0/33", "country": "FR"}, {"cidr": "not a network", "country": "FR"},
    {"cidr": "", "country": "FR"}, {"cidr": 167772160, "country": "FR"}, {"cidr": None, "country": "FR"},
    {"cidr": "10.0.0.0/8", "country": "FRA"}, {"cidr": "10.0.0.0/8", "country": "F"},
    {"cidr": "10.0.0.0/8", "country": "F1"}, {"cidr": "10.0.0.0/8", "country": "ÉS"},
    {"cidr": "10.0.0.0/8", "country": "FR\n"}, {"cidr": "10.0.0.0/8", "country": 33},
    {"cidr": "10.0.0.0/8"}, {"cidr": "10.0.0.0/8", "country": "FR", "extra": 1}, ["10.0.0.0/8", "FR"], None,
])
def test_bad_entries_are_invalid_arguments(tx, entry):
    with pytest.raises(geo.BadEntry) as excinfo:
        geo.add(tx, entry)
    assert excinfo.value.code == "InvalidArgument" and excinfo.value.message
    assert geo.listing(tx) == []


def test_the_most_specific_network_wins(tx):
    for cidr, country in (("0.0.0.0/0", "BR"), ("10.0.0.0/8", "FR"), ("10.1.0.0/16", "DE"), ("10.1.2.3/32", "JP"),
                          ("2001:db8::/32", "CA"), ("2001:db8:1::/48", "MX")):
        geo.add(tx, {"cidr": cidr, "country": country})
    assert geo.country_of(tx, "10.1.2.3") == "JP"
    assert geo.country_of(tx, "10.1.2.4") == "DE"
    assert geo.country_of(tx, "10.2.0.1") == "FR"
    assert geo.country_of(tx, "192.0.2.1") == "BR"
    assert geo.country_of(tx, "::ffff:10.1.2.3") == "JP"  # a dual-stack listener's way of writing an IPv4 viewer
    assert geo.country_of(tx, "2001:db8:1::5") == "MX"
    assert geo.country_of(tx, "2001:db8:2::5") == "CA"
    assert geo.country_of(tx, "2001:db9::1") == "US"  # 0.0.0.0/0 holds IPv4 addresses only


@pytest.mark.parametrize("ip", ["", "unknown", "10.0.0.256", "10.0.0.0/8", "::g", None, 167772161])
def test_what_is_not_an_address_is_in_the_us(tx, ip):
    geo.add(tx, {"cidr": "0.0.0.0/0", "country": "FR"})
    assert geo.country_of(tx, ip) == "US"


def test_a_large_table_is_looked_up_by_enclosing_network(tx):
    for n in range(geo.SCAN_AT_MOST + 10):
        geo.add(tx, {"cidr": f"10.{n}.0.0/16", "country": "FR"})
    geo.add(tx, {"cidr": "10.3.4.0/24", "country": "DE"})
    geo.add(tx, {"cidr": "2001:db8::/32", "country": "CA"})
    assert tx.count(geo.KIND, "") > geo.SCAN_AT_MOST
    assert geo.country_of(tx, "10.3.4.5") == "DE"
    assert geo.country_of(tx, "10.3.5.5") == "FR"
    assert geo.country_of(tx, "11.0.0.1") == "US"
    assert geo.country_of(tx, "2001:db8:ffff::1") == "CA"


def test_the_table_is_bounded_but_replacing_is_not_adding(tx, monkeypatch):
    monkeypatch.setattr(geo, "MAX_ENTRIES", 3)
    for n in range(3):
        geo.add(tx, {"cidr": f"10.{n}.0.0/16", "country": "FR"})
    with pytest.raises(geo.BadEntry, match="at most 3"):
        geo.add(tx, {"cidr": "10.9.0.0/16", "country": "FR"})
    assert geo.add(tx, {"cidr": "10.0.0.0/16", "country": "DE"}) == {"cidr": "10.0.0.0/16", "country": "DE"}


def test_clear_empties_the_table(tx):
    for n in range(600):  # more than one page
        geo.add(tx, {"cidr": f"10.{n // 256}.{n % 256}.0/24", "country": "FR"})
    geo.clear(tx)
    assert geo.listing(tx) == [] and geo.country_of(tx, "10.0.0.1") == "US"


def _restrictions(kind, *items):
    return {"GeoRestriction": {"RestrictionType": kind, "Quantity": len(items), **({"Items": list(items)} if items
                                                                                    else {})}}


@pytest.mark.parametrize("restrictions, country, expected", [
    (None, "FR", True),
    ({}, "FR", True),
    (_restrictions("none"), "FR", True),
    (_restrictions("whitelist", "FR", "DE"), "FR", True),
    (_restrictions("whitelist", "FR", "DE"), "US", False),
    (_restrictions("whitelist", "fr"), "FR", True),
    (_restrictions("blacklist", "FR", "DE"), "DE", False),
    (_restrictions("blacklist", "FR", "DE"), "US", True),
    (_restrictions("blacklist"), "US", True),
    ({"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 1, "Items": ["US"]}}, "us", True),
])
def test_allowed(restrictions, country, expected):
    assert geo.allowed(restrictions, country) is expected
