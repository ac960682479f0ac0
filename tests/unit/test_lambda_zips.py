"""Lambda packages with a corrupt deflate stream are refused as Lambda refuses an unreadable zip, never a 500
(found by the signed-mutant fuzz: zlib's own error escaped the zip reader)."""
import io
import zipfile

import pytest

from cloudfront_local.service.lambda_functions import zips
from cloudfront_local.service.lambda_functions.names import InvalidParameterValueException


def _corrupt_deflate() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.js", "exports.handler = async (e) => e;\n" * 50)
    data = bytearray(buffer.getvalue())
    start = 30 + len("index.js")  # the member's data follows its local header and name
    for i in range(start, start + 12):
        data[i] ^= 0xFF
    return bytes(data)


def test_a_corrupt_deflate_stream_is_an_invalid_parameter():
    with pytest.raises(InvalidParameterValueException):
        zips.members(_corrupt_deflate())
