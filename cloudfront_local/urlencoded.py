"""NAME=VALUE pairs joined by &, as a URL's query and a urlencoded form carry them: read with bounds, for the
emulator's own endpoints and the dashboard alike."""
from __future__ import annotations

import urllib.parse


def fields(text: str, max_fields: int) -> dict[str, str]:
    """The pairs as a dictionary; ValueError for text that is not such pairs, has more than `max_fields` of
    them, or gives a name twice (which of two values was meant is a guess)."""
    try:
        # max_num_fields bounds the work before any pair is made: a body of 5000 "a=b" costs one count.
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                                       max_num_fields=max_fields)
    except ValueError:
        raise ValueError(f"the query is not up to {max_fields} NAME=VALUE pairs joined by &") from None
    found: dict[str, str] = {}
    for name, value in pairs:
        if name in found:
            raise ValueError(f"{name} is given twice")
        found[name] = value
    return found
