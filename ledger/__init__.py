"""Forecast Ledger: log forecasts from the news, resolve them, score their sources.

The public API is imported lazily so that `ledger --help` stays fast:

    >>> from ledger import parse_probability, parse_deadline
    >>> parse_probability("likely to talk this week").value
    0.75
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.errors import LedgerError, UnknownDeadline, UnknownProbability

__version__ = "0.1.0"

__all__ = [
    "Ledger", "LedgerError", "NewForecast", "UnknownDeadline", "UnknownProbability",
    "parse_deadline", "parse_probability", "rescore", "__version__",
]

_LAZY = {
    "Ledger": "ledger.book",
    "NewForecast": "ledger.book",
    "parse_probability": "ledger.language.probability",
    "rescore": "ledger.language.probability",
    "parse_deadline": "ledger.language.timeframe",
}

if TYPE_CHECKING:
    from ledger.book import Ledger, NewForecast
    from ledger.language.probability import parse_probability, rescore
    from ledger.language.timeframe import parse_deadline


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ledger' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
