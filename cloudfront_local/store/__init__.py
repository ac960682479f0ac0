"""State behind one interface: Store / Transaction / Record (see base.py)."""
from .base import GLOBAL, KeyTaken, Record, Store, Transaction, open_store

__all__ = ["GLOBAL", "KeyTaken", "Record", "Store", "Transaction", "open_store"]
