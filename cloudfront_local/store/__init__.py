"""State behind one interface: Store / Transaction / Record (see base.py)."""
from .base import GLOBAL, KeyTaken, Record, Store, Transaction, TransientConflict


def open_store(location: str | None) -> Store:
    """None -> a fresh state in the process; ":memory:" -> a fresh in-memory SQLite database;
    a path -> a durable SQLite file."""
    if location is None:
        from .memory import MemoryStore

        return MemoryStore()
    if location.startswith(("postgresql://", "postgres://")):
        try:
            from .postgres import PostgresStore
        except ImportError:
            raise RuntimeError("PostgreSQL state needs: pip install 'cloudfront-local[postgresql]'") from None
        return PostgresStore(location)
    from .sqlite import SqliteStore

    return SqliteStore(location)


__all__ = ["GLOBAL", "KeyTaken", "Record", "Store", "Transaction", "TransientConflict", "open_store"]
