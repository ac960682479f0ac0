"""Generic REST codecs built from any botocore service model: REST-XML (CloudFront's control plane) and
REST-JSON (the KeyValueStore data plane).

    codec = RestXmlCodec(load_service_model("cloudfront"))         # or RestJsonCodec(load_service_model(...))
    operation, params = codec.decode(method, raw_path, query_string, headers, body)   # may raise CodecError
    response = codec.encode(operation, output)                                       # Response(status, headers, body)
    response = codec.encode_error(code, message, request_id)                         # the protocol's error form

`headers` maps lower-case names to values. Routing, typing and validation come from the model alone.
"""
from __future__ import annotations

from .errors import CodecError, NoRoute, ValidationFailed
from .model import load_service_model
from .rest import Response
from .rest_json import RestJsonCodec
from .rest_xml import RestXmlCodec

__all__ = ["RestXmlCodec", "RestJsonCodec", "Response", "CodecError", "NoRoute", "ValidationFailed",
           "load_service_model"]
