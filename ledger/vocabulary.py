"""The ledger's fixed words, in a module light enough for the CLI's --help path."""

from __future__ import annotations

OUTCOMES = ("yes", "no", "void")
VOID_REASONS = ("annulled", "ambiguous", "retracted", "misquoted", "duplicate")
SOURCE_KINDS = ("person", "organisation", "anonymous", "outlet")
STATUSES = ("open", "due", "undated", "resolved", "void", "all")
