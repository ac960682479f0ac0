"""What a run takes (its limits, the store it reads) and what it gives back."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class KvsReader(Protocol):
    """The KeyValueStore associated with a function, read from Python."""

    def get(self, key: str) -> str | None:
        """The key's value, or None when the store has no such key."""

    def meta(self) -> dict:
        """{"creationDateTime": ISO 8601 text, "lastUpdatedDateTime": ISO 8601 text, "keyCount": int}."""


@dataclass(frozen=True)
class Limits:
    # CPU a run may use before it ends with a timeout. AWS's allowance is far smaller (it publishes no
    # figure; about a millisecond is what users measure) but QuickJS inside Python is no edge server:
    # this bounds runaway code without failing honest code on a loaded machine.
    cpu_seconds: float = 0.25
    # The time ComputeUtilization is measured against: 100 means a run used all of it.
    notional_seconds: float = 0.001
    # Beyond its budget, how long a run stuck in uninterruptible native code may go before its worker
    # process is killed.
    grace_seconds: float = 1.0
    memory_bytes: int = 2 * 1024 * 1024  # AWS's quota for function memory
    stack_bytes: int = 256 * 1024  # the JavaScript stack, well inside any thread's
    log_bytes: int = 10 * 1024  # "Function logs in CloudFront Functions are truncated at 10 KB"
    kvs_reads: int = 256  # KeyValueStore reads one run may make


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Outcome:
    output: str | None  # FunctionOutput: the returned object as TestFunction reports it; None on error
    logs: list[str]  # FunctionExecutionLogs: console.log lines, at most 10 KB of them
    error: str | None  # FunctionErrorMessage: CloudFront's prefix and the error; None on success
    utilization: int  # ComputeUtilization, 0 to 100 (TestResult carries it as a string)
    result: dict | None = None  # the output as data: {"request": …}, {"response": …} or {"action": …}
    origin: list[dict] = field(default_factory=list)  # cf.updateRequestOrigin(…) and kin, as called
    custom_log_data: str | None = None  # the last cf.logCustomData() / connection.logCustomData() value
    action: str | None = None  # connection functions: "allow" or "deny"
    cpu_seconds: float = 0.0  # CPU the run used, measured
