"""Lambda function versions run for Lambda@Edge: warm workers, one subprocess per version (Node.js with the
`node` on PATH, Python with the server's own interpreter), bounded in number and memory, killed on timeout,
restarted after a crash, and gone with the server."""
from .pool import (NODE_RUNTIMES, PYTHON_RUNTIMES, Outcome, Runtime, Spec, shared,  # noqa: F401 - the API
                   spec_from_version)
