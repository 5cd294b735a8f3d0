"""The tamper-evident journal: one hash-chained entry per change, in the same transaction.

Each entry's hash is SHA-256 over the previous entry's hash followed by the entry's
canonical JSON (sorted keys, no spaces, UTF-8), so rewriting any past entry breaks every
hash after it. `book.py` calls :func:`append` for every write; nothing else writes here.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from ledger.models import JournalEntry

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """The one byte-exact JSON form that hashes are taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_plain)


def _plain(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot journal a {type(value).__name__}")


def placeholder(name: str) -> str:
    """A string to stand in `change` for a value passed to :func:`append` as JSON text. It
    holds NUL characters, which no checked text can, so it cannot match anything else."""
    return f"\x00{name}\x00"


def chain_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def append(session: Session, kind: str, change: dict[str, Any], who: str,
           at: datetime, spliced: dict[str, str] | None = None) -> JournalEntry:
    """Add the next entry; the caller's transaction makes it atomic with the change.

    `spliced` maps placeholders (strings in `change`, made by :func:`placeholder`) to
    values already in canonical JSON, which replace them in the payload: big arrays the
    database has formatted itself (ledger.interchange.staged)."""
    last = session.exec(select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    payload = canonical_json({"seq": seq, "at": at, "who": who, "kind": kind, "change": change})
    for name, text in (spliced or {}).items():
        payload = payload.replace(canonical_json(name), text, 1)
    entry = JournalEntry(seq=seq, at=at, who=who, kind=kind, payload=payload,
                         prev_hash=prev, hash=chain_hash(prev, payload))
    session.add(entry)
    return entry
