"""Small text helpers the parser, the validator and the serializer share."""
from __future__ import annotations

import re

# Characters XML 1.0 cannot carry at all. No value of a REST-XML service can hold one, since no response
# could send it back: the parser refuses them wherever a request carries text outside the XML body.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def join_path(where: str, name: str) -> str:
    """A member path as messages show it: Tags.Items.1.member.Key."""
    return f"{where}.{name}" if where else name


def clip(value, limit: int = 64) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


# Halves of UTF-16 pairs: a JSON escape (\ud800) can name one alone, but no UTF-8 text can hold it.
SURROGATES = re.compile("[\ud800-\udfff]")
