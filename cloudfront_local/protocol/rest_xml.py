"""The REST-XML codec: requests read and answers written as any botocore REST-XML model says."""
from __future__ import annotations

import botocore.model

from .errors import CodecError
from .model import service_namespace
from .parser import parse_input
from .rest import Response, RestCodec
from .serializer import serialize_error, serialize_output


class RestXmlCodec(RestCodec):
    protocol = "rest-xml"

    def __init__(
        self,
        model: botocore.model.ServiceModel,
        *,
        missing_header_errors: dict[str, tuple[str, str]] | None = None,
        validation_codes: dict[str, str] | None = None,
        validation_code: str = "InvalidArgument",
    ):
        """Where a service answers differently from the usual validation error (InvalidArgument):

        `missing_header_errors` maps a required header's wire name to the (code, message) answered when
        it is absent; `validation_codes` maps a member name to the code answered when every violation
        lies within a member of that name (CloudFront: Tags -> InvalidTagging)."""
        self._missing_header_errors = dict(missing_header_errors or {})
        super().__init__(model, malformed_code="InvalidArgument", no_route_code="InvalidRequest",
                         validation_code=validation_code, validation_codes=validation_codes,
                         skip_required=frozenset(self._missing_header_errors))
        self.namespace = service_namespace(model)

    def decode(self, method: str, raw_path: str, query_string: str, headers: dict[str, str], body: bytes):
        """HTTP request -> (OperationModel, params). Raises CodecError (NoRoute, ValidationFailed, ...)."""
        operation, labels, query = self._route(method, raw_path, query_string, headers)
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
        self._validate(params, shape)
        return operation, params

    def encode(self, operation: botocore.model.OperationModel, output: dict | None) -> Response:
        status, headers, body = serialize_output(operation, output or {}, self.namespace)
        return Response(status, headers, body)

    def encode_error(self, code: str, message: str, request_id: str, status: int | None = None) -> Response:
        """AWS's <ErrorResponse>; the status comes from the model's error shape when it has one."""
        status = self._status(code, status)
        body = serialize_error(status, code, message, request_id, self.namespace)
        return Response(status, {"Content-Type": "text/xml"}, body)
