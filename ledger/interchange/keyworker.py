"""Statement keys for a whole CSV file, worked out in a second process.

The one piece of Python the staged import (ledger.interchange.staged) still runs per row
is the statement's check and key: a SHA-256 of the normalised statement. It depends on
nothing but the statement, so a second process reads the same file and works the keys
out while the first copies the file into SQLite and reads its distinct values: on two
cores that takes a tenth of a big import off its critical path. The keys come back as
one bytes object, 64 hex digits per row, which SQLite slices by row number.

The caller must make sure both processes read the same file (see staged: its size,
modification time and inode are compared before and after) and the same rows (the
counts are compared).
"""

from __future__ import annotations

import csv
import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult
from pathlib import Path

from ledger.book import statement_key
from ledger.errors import LedgerError
from ledger.interchange.readers import text_stream
from ledger.validate import MAX_TEXT, check_text

KEY_DIGITS = 64


def statement_keys(path: str) -> bytes | None:
    """Each row's statement key in file order, as ASCII hex; None if a statement fails
    check_text or a row has no statement cell (the import then goes row by row)."""
    keys = []
    with text_stream(Path(path)) as handle:
        reader = csv.reader(handle, strict=True)
        column = [name.strip() for name in next(reader, [])].index("statement")
        for row in reader:
            try:
                statement = row[column]
                check_text("statement", statement, required=True, limit=MAX_TEXT)
            except (IndexError, LedgerError):
                return None
            keys.append(statement_key(statement))
    return "".join(keys).encode("ascii")


MIN_BYTES = 8 << 20  # below ~100,000 rows a second process saves less than it costs to start
MAX_BYTES = 256 << 20  # the keys are held in memory, ~0.8 byte per byte of file: 200 MB at most


def usable(path: Path) -> bool:
    """Worth a second process: for a big file (not so big that its keys crowd memory),
    with a second core to run it on."""
    return (os.cpu_count() or 1) > 1 and MIN_BYTES <= path.stat().st_size <= MAX_BYTES


@contextmanager
def keys_in_background(path: Path) -> Iterator[AsyncResult | None]:
    """A pending result of statement_keys(path) from a worker process, which is stopped
    on the way out whether or not the result was used; None where no process can be
    started (the caller works the keys out itself)."""
    try:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                              else None)
        pool = context.Pool(1)
    except (OSError, ValueError):
        yield None
        return
    try:
        yield pool.apply_async(statement_keys, (str(path),))
    finally:
        pool.terminate()
        pool.join()
