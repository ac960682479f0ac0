"""Operation lookup by method, URI template and literal query discriminators, built from the model."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

import botocore.model

from .errors import CodecError, NoRoute


@dataclass(frozen=True)
class Route:
    operation: botocore.model.OperationModel
    # One entry per path segment: (literal text, None) or (None, label name).
    segments: tuple[tuple[str | None, str | None], ...]
    greedy_label: str | None  # a {Name+} label that swallows every segment up to `suffix`
    query_literals: tuple[tuple[str, str | None], ...]  # ("WithTags", None), ("Operation", "Tag")
    required_query: tuple[str, ...] = field(default=())
    required_headers: tuple[str, ...] = field(default=())  # lower-case
    # The segments after a greedy label, in `segments`' form: most greedy labels end the path (S3's {Key+}),
    # but some stand before a literal (WorkSpaces Web's /portals/{portalArn+}/userSettings).
    suffix: tuple[tuple[str | None, str | None], ...] = field(default=())

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        literals = sum(1 for literal, _ in self.segments + self.suffix if literal is not None)
        # On a full tie (S3 keeps deprecated aliases of live operations), the live operation wins.
        return (len(self.query_literals), literals, 0 if self.greedy_label else 1,
                len(self.required_query) + len(self.required_headers), 0 if self.operation.deprecated else 1)


def _unquote(text: str, malformed_code: str) -> str:
    try:
        return urllib.parse.unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise CodecError(malformed_code, "The URL path is not valid UTF-8 once decoded") from None


def _split(path: str) -> list[str]:
    """Path segments, keeping empty ones: a trailing or doubled slash is part of what was sent."""
    return path[1:].split("/") if path not in ("", "/") else []


def _compile(operation: botocore.model.OperationModel) -> Route:
    uri = operation.http["requestUri"]
    path, _, query = uri.partition("?")
    segments: list[tuple[str | None, str | None]] = []
    suffix: list[tuple[str | None, str | None]] = []
    greedy = None
    for part in _split(path):
        after = suffix if greedy is not None else segments
        if part.startswith("{") and part.endswith("}"):
            label = part[1:-1]
            if label.endswith("+"):
                greedy = label[:-1]
                continue
            after.append((None, label))
        else:
            after.append((part, None))
    literals = []
    for pair in query.split("&") if query else []:
        key, sep, value = pair.partition("=")
        literals.append((key, value if sep else None))
    required: dict[str, list[str]] = {"querystring": [], "header": []}
    shape = operation.input_shape
    if shape is not None:
        for name in shape.required_members:
            member = shape.members[name]
            location = member.serialization.get("location")
            if location in required:
                required[location].append(member.serialization.get("name", name))
    return Route(operation, tuple(segments), greedy, tuple(literals), tuple(required["querystring"]),
                 tuple(name.lower() for name in required["header"]), tuple(suffix))


class Router:
    """Maps (method, raw path, query) to an operation and its URI labels.

    The codes answered, which differ between protocols: `no_route_code` (404) when nothing matches,
    `malformed_code` when a label is not UTF-8 once decoded."""

    def __init__(self, model: botocore.model.ServiceModel, *, no_route_code: str = "InvalidRequest",
                 malformed_code: str = "InvalidArgument"):
        self._no_route_code = no_route_code
        self._malformed_code = malformed_code
        self._routes: dict[str, list[Route]] = {}
        for name in model.operation_names:
            route = _compile(model.operation_model(name))
            self._routes.setdefault(route.operation.http["method"], []).append(route)
        # An index so that a request is compared with a few candidates, not with every route of its method:
        # (method, segment count) -> the literal positions used there -> literal values -> routes.
        # Routes with a greedy label are few (none in CloudFront) and are always compared.
        self._index: dict[tuple[str, int], dict[tuple[int, ...], dict[tuple[str, ...], list[Route]]]] = {}
        self._greedy: dict[str, list[Route]] = {}
        for method, routes in self._routes.items():
            routes.sort(key=lambda r: r.specificity, reverse=True)
            for route in routes:
                if route.greedy_label is not None:
                    self._greedy.setdefault(method, []).append(route)
                    continue
                positions = tuple(i for i, (literal, _) in enumerate(route.segments) if literal is not None)
                values = tuple(route.segments[i][0] for i in positions)
                by_positions = self._index.setdefault((method, len(route.segments)), {})
                by_positions.setdefault(positions, {}).setdefault(values, []).append(route)

    def match(self, method: str, raw_path: str, query: dict[str, list[str]], headers: dict[str, str] | None = None):
        """Return (OperationModel, {label: decoded value}); raise NoRoute when nothing matches.

        `raw_path` is the path as sent, still percent-encoded, so that an encoded '/' inside a label
        (an ARN, say) stays inside that label.
        """
        parts = _split(raw_path)
        if any(part in (".", "..") or part.lower() in ("%2e", "%2e%2e", ".%2e", "%2e.") for part in parts):
            # Signers normalise dot segments away; a path that still has them is not the one signed.
            raise NoRoute(method, urllib.parse.unquote(raw_path), self._no_route_code)
        fallback = None
        for route in self._candidates(method, parts):
            labels = self._match_path(route, parts)
            if labels is None:
                continue
            if not all(self._query_has(query, key, value) for key, value in route.query_literals):
                continue
            # Operations may share a path and differ only by a required query parameter or header (S3's
            # PutObject and CopyObject); prefer the most specific one whose requirements are present, and
            # let validation name what is missing otherwise.
            if all(name in query for name in route.required_query) and (
                    not route.required_headers or headers is not None
                    and all(name in headers for name in route.required_headers)):
                return route.operation, labels
            if fallback is None:
                fallback = (route.operation, labels)
        if fallback is not None:
            return fallback
        raise NoRoute(method, urllib.parse.unquote(raw_path), self._no_route_code)

    def _candidates(self, method: str, parts: list[str]) -> list[Route]:
        found: list[Route] = []
        for positions, by_values in self._index.get((method, len(parts)), {}).items():
            found += by_values.get(tuple(parts[i] for i in positions), ())
        greedy = self._greedy.get(method)
        if greedy:
            found += greedy
        if len(found) > 1:
            found.sort(key=lambda r: r.specificity, reverse=True)
        return found

    def _match_path(self, route: Route, parts: list[str]) -> dict[str, str] | None:
        count, tail = len(route.segments), len(route.suffix)
        if route.greedy_label is None:
            if len(parts) != count:
                return None
        elif len(parts) <= count + tail:
            return None
        end = len(parts) - tail  # the greedy label holds parts[count:end]
        labels: dict[str, str] = {}
        for (literal, label), part in zip(route.segments + route.suffix, parts[:count] + parts[end:]):
            if literal is not None:
                if part != literal:
                    return None
            else:
                if not part:
                    return None
                labels[label] = _unquote(part, self._malformed_code)
        if route.greedy_label is not None:
            labels[route.greedy_label] = _unquote("/".join(parts[count:end]), self._malformed_code)
        return labels

    @staticmethod
    def _query_has(query: dict[str, list[str]], key: str, value: str | None) -> bool:
        if key not in query:
            return False
        return value is None or value in query[key]
