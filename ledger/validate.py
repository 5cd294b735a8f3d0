"""Checks on text that comes in from users and files, applied before anything is written."""

from __future__ import annotations

import re

from ledger.errors import LedgerError

MAX_TEXT = 10_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_TAG = re.compile(r"^[\w][\w.+/-]*$")


def check_text(name: str, value: str | None, required: bool = False,
               limit: int = MAX_TEXT) -> str | None:
    """The value stripped of outer space; refuse control characters and overlong text."""
    if value is None:
        if required:
            raise LedgerError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise LedgerError(f"{name} must be text")
    if _CONTROL.search(value):
        raise LedgerError(f"{name} contains a control character or invalid text")
    stripped = value.strip()
    if required and not stripped:
        raise LedgerError(f"{name} is empty")
    if len(stripped) > limit:
        raise LedgerError(f"{name} is longer than {limit:,} characters ({len(stripped):,})")
    return stripped or None


def clean_tags(tags: list[str] | tuple[str, ...]) -> list[str]:
    """Lower-case, unique, sorted tags; a tag is one word (letters, digits, . + / -)."""
    found: set[str] = set()
    for raw in tags:
        for tag in re.split(r"[;,]", raw):
            tag = tag.strip().lower()
            if not tag:
                continue
            if len(tag) > 100 or not _TAG.match(tag):
                raise LedgerError(f"tag {tag[:40]!r} must be one word of letters, digits, '.', '+', '/' or '-'")
            found.add(tag)
    return sorted(found)
