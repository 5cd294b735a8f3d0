"""The project's exceptions.

Every error a user can cause is a subclass of :class:`LedgerError`, so the CLI can turn
any of them into one line on stderr and exit 1, and library users can catch one type.
"""

from __future__ import annotations


class LedgerError(Exception):
    """A request the ledger cannot carry out (bad input, unknown id, conflict)."""


class UnknownProbability(LedgerError):
    """Words that no scale maps to a probability."""


class UnknownDeadline(LedgerError):
    """Words with no time meaning the deadline grammar understands."""


class NotFound(LedgerError):
    """An id or a name that is not in the ledger."""


class Conflict(LedgerError):
    """A write that contradicts what the ledger already holds (e.g. already resolved)."""


class StorageError(LedgerError):
    """The database cannot be opened, reached or upgraded."""
