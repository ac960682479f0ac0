"""Hostile input against `/_cloudfront-local/geo` and the lookup behind it: a 4xx, never a 5xx, and a viewer
whose address makes no sense is in the US rather than an error."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudfront_local.application import Application
from cloudfront_local.config import Settings

ENTRY_PARTS = st.one_of(st.text(max_size=300), st.integers(), st.none(), st.booleans(),
                        st.lists(st.text(max_size=5), max_size=3),
                        st.sampled_from(["FR", "fr", "F", "FRA", "10.0.0.0/8", "10.0.0.1/33", "::1/128", "::/0",
                                         "fe80::1%eth0/64", "1.2.3.4", "0.0.0.0/0"]))
ADDRESSES = st.one_of(st.text(max_size=60), st.ip_addresses().map(str),
                      st.sampled_from(["::ffff:10.0.0.1", "fe80::1%eth0", "10.0.0.1 ", "", "%"]))


@pytest.fixture(scope="module")
def app():
    return Application(Settings(log_requests=False))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=400),
                      st.dictionaries(st.sampled_from(["cidr", "country", "extra"]), ENTRY_PARTS,
                                      max_size=3).map(lambda d: json.dumps(d).encode())),
       address=ADDRESSES, clear=st.booleans())
def test_the_geo_table_answers_hostile_entries_with_a_4xx(app, body, address, clear):
    added = app.handle("POST", "/_cloudfront-local/geo", "", {}, body)
    assert added.status in (201, 400), (body, added.status, added.body)
    listed = app.handle("GET", "/_cloudfront-local/geo", "", {}, b"")
    assert listed.status == 200
    if added.status == 201:
        assert json.loads(added.body) in json.loads(listed.body)["entries"]
    country = app.country_of(address)
    assert len(country) == 2 and country.isupper(), (address, country)
    if clear:
        assert app.handle("DELETE", "/_cloudfront-local/geo", "", {}, b"").status == 204
