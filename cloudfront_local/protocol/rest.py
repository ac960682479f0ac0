"""What the REST codecs share whatever their body speaks: routing, the query string, validation and how a
validation error is named, and error statuses from the model."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

import botocore.model

from .errors import CodecError, ValidationFailed
from .model import error_statuses
from .router import Router
from .validator import Validator


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    operation: str | None = None  # the operation that answered, when routing got that far


class RestCodec:
    """The base of RestXmlCodec and RestJsonCodec; `protocol` is the model protocol a subclass speaks."""

    protocol = ""

    def __init__(self, model: botocore.model.ServiceModel, *, malformed_code: str, no_route_code: str,
                 validation_code: str, validation_codes: dict[str, str] | None = None,
                 skip_required: frozenset[str] = frozenset()):
        """`malformed_code` answers input that cannot be read at all (a query string that is not UTF-8, say),
        `no_route_code` a request no operation matches; `validation_code` answers input that breaks the
        model's constraints, unless every violation lies within a member named in `validation_codes`
        (member name -> code). `skip_required` names headers whose absence the caller reports itself."""
        if model.protocol != self.protocol:
            raise ValueError(f"{model.service_name} speaks {model.protocol}, not {self.protocol}")
        self.model = model
        self.router = Router(model, no_route_code=no_route_code, malformed_code=malformed_code)
        self.statuses = error_statuses(model)
        self._validator = Validator(skip_required)
        self._malformed_code = malformed_code
        self._validation_code = validation_code
        self._validation_codes = dict(validation_codes or {})

    def _route(self, method: str, raw_path: str, query_string: str, headers: dict[str, str]):
        """(OperationModel, URI labels, parsed query) of a request, or CodecError."""
        try:
            query = urllib.parse.parse_qs(query_string, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise CodecError(self._malformed_code, "The query string is not valid UTF-8") from None
        operation, labels = self.router.match(method, raw_path, query, headers)
        return operation, labels, query

    def _validate(self, params: dict, shape: botocore.model.Shape | None) -> None:
        problems = self._validator.problems(params, shape)
        if problems:
            raise ValidationFailed([text for _, text in problems], self._code_for(path for path, _ in problems))

    def _code_for(self, paths) -> str:
        codes = {next((self._validation_codes[part] for part in path.split(".") if part in self._validation_codes),
                      self._validation_code) for path in paths}
        return codes.pop() if len(codes) == 1 else self._validation_code

    def _status(self, code: str, status: int | None) -> int:
        """The model's status for an error code where it has one, else `status`, else 400."""
        if code in self.statuses:
            return self.statuses[code]
        return 400 if status is None else status
