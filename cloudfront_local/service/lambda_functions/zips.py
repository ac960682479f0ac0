"""A deployment package as Lambda accepts one: a real zip within Lambda's size quotas, whose members stay
inside the package, holding the file the Handler names with its runtime's extension."""
from __future__ import annotations

import base64
import hashlib
import io
import posixpath
import zipfile
import zlib

from .names import InvalidParameterValueException

# Lambda's quotas: "50 MB (zipped, when uploaded through the Lambda API or SDKs)", "250 MB ... unzipped".
MAX_ZIPPED = 50 * 1024 * 1024
MAX_UNZIPPED = 250 * 1024 * 1024
MAX_MEMBERS = 100_000  # far above any real package; bounds the work a directory of empty names can ask
CHUNK = 1024 * 1024

NODE = ("nodejs18.x", "nodejs20.x", "nodejs22.x")
PYTHON = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13")
RUNTIMES = NODE + PYTHON
EXTENSIONS = {**{r: (".js", ".mjs", ".cjs") for r in NODE}, **{r: (".py",) for r in PYTHON}}


class RequestEntityTooLargeException(InvalidParameterValueException):
    """What Lambda answers for a package over 50 MB; not among the model's error shapes, so its status is its
    own (413, as Lambda sends it)."""
    code = "RequestEntityTooLargeException"
    status = 413


def check_runtime(runtime: str | None) -> str:
    if not runtime:
        raise InvalidParameterValueException("Runtime is required for a .zip deployment package.")
    if runtime not in RUNTIMES:
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is not supported by cloudfront-local, which runs Lambda@Edge's "
            f"runtimes: {', '.join(RUNTIMES)}.")
    return runtime


def members(package: bytes) -> set[str]:
    """The file names of a valid package; InvalidParameterValueException (or 413 over 50 MB) otherwise.
    Every member is decompressed, within the unzipped quota, so a zip bomb or a corrupt member is refused
    now rather than when the edge first runs it."""
    if len(package) > MAX_ZIPPED:
        raise RequestEntityTooLargeException(f"Zipped size must be smaller than {MAX_ZIPPED} bytes")
    unreadable = "Could not unzip uploaded file. Please check your file, then try to upload again."
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError,
            zlib.error):
        raise InvalidParameterValueException(unreadable) from None
    if len(infos) > MAX_MEMBERS:
        raise InvalidParameterValueException(f"The package holds more than {MAX_MEMBERS} entries.")
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":") or "\x00" in name:
            raise InvalidParameterValueException(f"The package's entry {name[:200]!r} would be written outside "
                                                 "the function's directory.")
        if info.is_dir():
            continue
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    total += len(chunk)
                    if total > MAX_UNZIPPED:
                        raise InvalidParameterValueException(f"Unzipped size must be smaller than {MAX_UNZIPPED} "
                                                             "bytes")
        except InvalidParameterValueException:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError,
                RuntimeError, zlib.error):  # RuntimeError: an encrypted member; zlib.error: a corrupt deflate stream
            raise InvalidParameterValueException(unreadable) from None
        names.add(posixpath.normpath(name))
    return names


def handler_file(runtime: str, handler: str | None) -> tuple[str, ...]:
    """The files that may hold the Handler's module, as the runtime's bootstrap resolves it: Node's module is
    the Handler up to the first dot after its last slash (index.handler, src/app.main); Python's is the Handler
    up to its last dot, dots being package separators (app.handler, pkg.mod.handler, dir/app.handler)."""
    if not handler:
        raise InvalidParameterValueException("Handler is required for a .zip deployment package.")
    directory, _, base = handler.rpartition("/")
    if runtime in PYTHON:
        module, dot, function = handler.rpartition(".")
        if not dot or not module or not function:
            raise InvalidParameterValueException(f"The handler {handler} is not of the form module.function.")
        module = module.replace(".", "/") if "/" not in module else module
    else:
        stem, dot, function = base.partition(".")
        if not dot or not stem or not function:
            raise InvalidParameterValueException(f"The handler {handler} is not of the form file.function.")
        module = f"{directory}/{stem}" if directory else stem
    return tuple(posixpath.normpath(module) + extension for extension in EXTENSIONS[runtime])


def check_handler(runtime: str, handler: str | None, names: set[str]) -> None:
    candidates = handler_file(runtime, handler)
    if not any(candidate in names for candidate in candidates):
        raise InvalidParameterValueException(
            f"The handler {handler} names a module the package does not hold: none of {', '.join(candidates)} "
            "is in the zip.")


def sha256(package: bytes) -> str:
    """CodeSha256 as Lambda gives it: the base64 of the package's SHA-256."""
    return base64.b64encode(hashlib.sha256(package).digest()).decode()
