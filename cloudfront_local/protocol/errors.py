"""Errors the codec raises while reading a request; the caller turns them into error responses."""
from __future__ import annotations


class CodecError(Exception):
    """A request the codec cannot accept. `status` is used only when the model has no shape for `code`."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class NoRoute(CodecError):
    """No operation of the model matches the method and path."""

    def __init__(self, method: str, path: str, code: str = "InvalidRequest"):
        super().__init__(code, f"No operation matches {method} {path}", 404)


class ValidationFailed(CodecError):
    """Input that violates the model's constraints, each problem naming its member."""

    def __init__(self, problems: list[str], code: str = "InvalidArgument"):
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        super().__init__(code, f"{count} validation {noun} detected: " + "; ".join(problems), 400)
        self.problems = problems
