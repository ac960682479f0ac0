"""The edge's field-level encryption without a server: the Encryption SDK message at frame boundaries, and the
form rewriting on awkward bodies, each checked by AWS's own SDK decrypting what was written."""
from __future__ import annotations

import base64
from urllib.parse import parse_qsl

import pytest
from cryptography.hazmat.primitives import serialization

from cloudfront_local.edge import field_level_encryption as fle
from field_level_decryption import Keys, decrypt

KEYS = Keys()
PUBLIC = serialization.load_pem_public_key(KEYS.public_pem.encode())
FORM = [("Content-Type", "application/x-www-form-urlencoded")]


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 8192, 16 * 1024])
def test_messages_at_frame_boundaries_decrypt(size):
    plaintext = bytes(range(256)) * (size // 256) + bytes(size % 256)
    opened, header = decrypt(base64.b64encode(fle.encrypt(plaintext, "prov", "key", PUBLIC)).decode(),
                             KEYS, "prov", "key")
    assert opened == plaintext and header.frame_length == 4096


def _setup(**members) -> fle.Setup:
    setup = fle.Setup({"application/x-www-form-urlencoded": "p"}, False, None, False)
    setup.profiles["p"] = [fle.Entity("prov", "key", PUBLIC, ["a", "b*"])]
    for name, value in members.items():
        setattr(setup, name, value)
    return setup


def test_awkward_forms_keep_every_other_byte():
    body = b"x=%zz&a&a=&b%31=%E9t%C3%A9&&=v&c=1+2"
    out = fle.applied(_setup(), "POST", "", FORM, body)
    parts = out.split(b"&")
    # Untouched: a pair without "=", an empty pair, an empty name, names no pattern names, bad escapes.
    assert [parts[i] for i in (0, 1, 4, 5, 6)] == [b"x=%zz", b"a", b"", b"=v", b"c=1+2"]
    fields = parse_qsl(out.decode(), keep_blank_values=True)
    assert [name for name, _ in fields] == ["x", "a", "a", "b1", "", "c"]
    assert decrypt(fields[2][1], KEYS, "prov", "key")[0] == b""             # a= (empty value, still encrypted)
    assert parts[3].startswith(b"b%31=")                                     # the name as the viewer wrote it
    assert decrypt(fields[3][1], KEYS, "prov", "key")[0] == b"\xe9t\xc3\xa9"  # the value's bytes, decoded


def test_what_goes_on_untouched_and_what_is_refused():
    assert fle.applied(_setup(), "PUT", "", FORM, b"a=1") == b"a=1"
    assert fle.applied(_setup(forward_unknown_content_type=True), "POST", "", [], b"a=1") == b"a=1"
    with pytest.raises(fle.Refused) as refused:
        fle.applied(_setup(), "POST", "", [("content-type", "text/plain")], b"a=1")
    assert refused.value.status == 400
    asked = _setup(query_args={"alt": "q"})
    asked.profiles["q"] = [fle.Entity("other", "key", PUBLIC, ["z"])]
    chosen = dict(parse_qsl(fle.applied(asked, "POST", "x=1&fle-profile=alt", FORM, b"a=1&z=2").decode()))
    assert chosen["a"] == "1" and decrypt(chosen["z"], KEYS, "other", "key")[0] == b"2"
    with pytest.raises(fle.Refused):
        fle.applied(asked, "POST", "fle-profile=nope", FORM, b"a=1")
    assert fle.applied(_setup(query_args={}, forward_unknown_query_arg=True), "POST", "fle-profile=nope", FORM,
                       b"a=1") == b"a=1"
    with pytest.raises(fle.Refused) as refused:
        fle.applied(_setup(), "POST", "", FORM, b"a=" + b"x" * fle.MAX_BODY)
    assert refused.value.status == 413
