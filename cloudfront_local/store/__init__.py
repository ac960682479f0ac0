"""State behind one interface: Store / Transaction / Record (see base.py)."""
from .base import GLOBAL, KeyTaken, Record, Store, Transaction


def open_store(location: str | None) -> Store:
    """`None` or ":memory:" -> a fresh in-memory state; a path -> a durable SQLite file."""
    from .sqlite import SqliteStore

    return SqliteStore(location or ":memory:")


__all__ = ["GLOBAL", "KeyTaken", "Record", "Store", "Transaction", "open_store"]
