"""State behind one interface: Store / Transaction / Record (see base.py)."""
from .base import GLOBAL, KeyTaken, Record, Store, Transaction


def open_store(location: str | None) -> Store:
    """None -> a fresh state in the process; ":memory:" -> a fresh in-memory SQLite database;
    a path -> a durable SQLite file."""
    if location is None:
        from .memory import MemoryStore

        return MemoryStore()
    from .sqlite import SqliteStore

    return SqliteStore(location)


__all__ = ["GLOBAL", "KeyTaken", "Record", "Store", "Transaction", "open_store"]
