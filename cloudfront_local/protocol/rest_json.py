"""The REST-JSON codec: requests read and answers written as any botocore REST-JSON model says.

Malformed input (a body that is not JSON, a value of the wrong JSON type, a header that is not a number) is
`serialization_code`; input that breaks the model's constraints (required, length, pattern, range, enum) is
`validation_code`: the split Smithy's restJson1 server tests make. An error answers as AWS's REST-JSON
services do and botocore's RestJSONParser reads: the code in the x-amzn-ErrorType header, the message in a JSON
body under the name the error shape gives it (`Message` or `message`), the status from the shape's
httpStatusCode.
"""
from __future__ import annotations

import botocore.model

from .errors import CodecError
from .json_body import dumps, read_body, write, write_members
from .located import OutputPlan, header_text, read_located
from .model import error_shapes
from .rest import Response, RestCodec
from .scalars import Bad
from .text import SURROGATES


def parse_input(operation: botocore.model.OperationModel, labels: dict[str, str], query: dict[str, list[str]],
                headers: dict[str, str], body: bytes, malformed_code: str = "SerializationException") -> dict:
    """Build the operation's input parameters. Raises CodecError; validation is a separate step."""
    shape = operation.input_shape
    if shape is None:
        return {}
    params = read_located(operation, labels, query, headers, code=malformed_code, refuse=(SURROGATES, "lone surrogates"))
    try:
        params.update(read_body(shape, body))
    except Bad as bad:
        raise CodecError(malformed_code, str(bad)) from None
    return params


class _JsonOutputPlan(OutputPlan):
    """The JSON body of one operation's output: its payload member, or an object of its body members."""

    content_type = "application/json"

    def __init__(self, operation: botocore.model.OperationModel):
        super().__init__(operation)
        self.shape = operation.output_shape

    def body(self, output: dict) -> bytes:
        if self.payload is not None:
            value = output.get(self.payload)
            return b"" if value is None else dumps(write(value, self.shape.members[self.payload]))
        if not self.body_names:
            return b""
        return dumps(write_members(output, self.shape, self.body_names))  # "{}" when every member is unset


def _message_key(shape: botocore.model.Shape) -> str:
    """The JSON name of an error shape's message member; AWS's own default where it has none."""
    for name, member in shape.members.items():
        if name.lower() == "message":
            return member.serialization.get("name", name)
    return "message"


class RestJsonCodec(RestCodec):
    protocol = "rest-json"

    def __init__(
        self,
        model: botocore.model.ServiceModel,
        *,
        validation_code: str = "ValidationException",
        validation_codes: dict[str, str] | None = None,
        serialization_code: str = "SerializationException",
        no_route_code: str = "UnknownOperationException",
    ):
        """`validation_code` answers a constraint violation, unless every violation lies within a member
        named in `validation_codes` (member name -> code); `serialization_code` answers input that cannot be
        read as its type; `no_route_code` (404) a request no operation matches."""
        super().__init__(model, malformed_code=serialization_code, no_route_code=no_route_code,
                         validation_code=validation_code, validation_codes=validation_codes)
        self._message_keys = {code: _message_key(shape) for code, shape in error_shapes(model).items()}
        self._plans: dict[str, _JsonOutputPlan] = {}

    def decode(self, method: str, raw_path: str, query_string: str, headers: dict[str, str], body: bytes):
        """HTTP request -> (OperationModel, params). Raises CodecError (NoRoute, ValidationFailed, ...)."""
        operation, labels, query = self._route(method, raw_path, query_string, headers)
        params = parse_input(operation, labels, query, headers, body, self._malformed_code)
        self._validate(params, operation.input_shape)
        return operation, params

    def encode(self, operation: botocore.model.OperationModel, output: dict | None) -> Response:
        plan = self._plans.get(operation.name)
        if plan is None:
            plan = self._plans[operation.name] = _JsonOutputPlan(operation)
        status, headers, body = plan.write(output or {})
        return Response(status, headers, body)

    def encode_error(self, code: str, message: str, request_id: str, status: int | None = None) -> Response:
        """An error as botocore reads it; the status comes from the model's error shape when it has one."""
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": header_text(code),
                   "x-amzn-RequestId": header_text(request_id)}
        return Response(self._status(code, status), headers, dumps({self._message_keys.get(code, "message"): message}))
