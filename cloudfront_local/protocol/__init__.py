"""A generic REST-XML codec built from any botocore REST-XML service model.

    codec = RestXmlCodec(load_service_model("cloudfront"))
    operation, params = codec.decode(method, raw_path, query_string, headers, body)   # may raise CodecError
    response = codec.encode(operation, output)                                       # Response(status, headers, body)
    response = codec.encode_error(code, message, request_id)                         # AWS's <ErrorResponse>

`headers` maps lower-case names to values. Routing, typing and validation come from the model alone.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

import botocore.model

from .errors import CodecError, NoRoute, ValidationFailed
from .model import error_statuses, load_service_model, service_namespace
from .parser import parse_input
from .router import Router
from .serializer import serialize_error, serialize_output
from .validator import Validator

__all__ = ["RestXmlCodec", "Response", "CodecError", "NoRoute", "ValidationFailed", "load_service_model"]


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    operation: str | None = None  # the operation that answered, when routing got that far


class RestXmlCodec:
    def __init__(
        self,
        model: botocore.model.ServiceModel,
        *,
        missing_header_errors: dict[str, tuple[str, str]] | None = None,
        validation_codes: dict[str, str] | None = None,
    ):
        """Where a service answers differently from the usual validation error (InvalidArgument):

        `missing_header_errors` maps a required header's wire name to the (code, message) answered when
        it is absent; `validation_codes` maps a member name to the code answered when every violation
        lies within a member of that name (CloudFront: Tags -> InvalidTagging)."""
        if model.protocol != "rest-xml":
            raise ValueError(f"{model.service_name} speaks {model.protocol}, not rest-xml")
        self.model = model
        self.router = Router(model)
        self.namespace = service_namespace(model)
        self.statuses = error_statuses(model)
        self._missing_header_errors = dict(missing_header_errors or {})
        self._validator = Validator(frozenset(self._missing_header_errors))
        self._validation_codes = dict(validation_codes or {})

    def decode(self, method: str, raw_path: str, query_string: str, headers: dict[str, str], body: bytes):
        """HTTP request -> (OperationModel, params). Raises CodecError (NoRoute, ValidationFailed, ...)."""
        try:
            query = urllib.parse.parse_qs(query_string, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise CodecError("InvalidArgument", "The query string is not valid UTF-8") from None
        operation, labels = self.router.match(method, raw_path, query, headers)
        params = parse_input(operation, labels, query, headers, body)
        shape = operation.input_shape
        if shape is not None and self._missing_header_errors:
            for name in shape.required_members:
                member = shape.members[name]
                wire = member.serialization.get("name", name)
                if member.serialization.get("location") == "header" and params.get(name) is None \
                        and wire in self._missing_header_errors:
                    code, message = self._missing_header_errors[wire]
                    raise CodecError(code, message)
        problems = self._validator.problems(params, shape)
        if problems:
            raise ValidationFailed([text for _, text in problems], self._code_for(path for path, _ in problems))
        return operation, params

    def _code_for(self, paths) -> str:
        codes = {next((self._validation_codes[part] for part in path.split(".") if part in self._validation_codes),
                      "InvalidArgument") for path in paths}
        return codes.pop() if len(codes) == 1 else "InvalidArgument"

    def encode(self, operation: botocore.model.OperationModel, output: dict | None) -> Response:
        status, headers, body = serialize_output(operation, output or {}, self.namespace)
        return Response(status, headers, body)

    def encode_error(self, code: str, message: str, request_id: str, status: int | None = None) -> Response:
        """An error in the service's shape; the status comes from the model's error shape when it has one."""
        if code in self.statuses:
            status = self.statuses[code]
        elif status is None:
            status = 400
        body = serialize_error(status, code, message, request_id, self.namespace)
        return Response(status, {"Content-Type": "text/xml"}, body)
