"""The import's rows from plain Python tuples under WAL: what per-row Python and WAL cost.

It was written as a floor for the row-by-row import (session 4: the import ≈2× this).
The staged bulk load (ledger/interchange/staged.py) is now faster than it, because it
works in SQL from distinct values and writes new pages once, under the rollback
journal; docs/performance.md has both.

    python benchmarks/import_floor.py FILE.csv LEDGER.db

LEDGER.db must be an empty ledger (`ledger --db LEDGER.db db upgrade`). The benchmark's
CSV rows (statement, source, probability, made_on, deadline, outcome, resolved_on) go
into the same tables the import fills (source, forecast, resolution, and one journal
entry per 2,000 forecasts with its hash chain), in one transaction, with the ledger's
connection settings (WAL, synchronous=FULL, foreign keys) and the import's own tricks
(128 MiB page cache, forecast indexes rebuilt at the end) — but with no validation, no
words to read and no idempotency keys: plain tuples into executemany. Whatever the import
costs beyond this is its own Python.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import sys

CHUNK = 2000
STAMP = "2025-07-15 00:00:00.000000"


def main(csv_path: str, db_path: str) -> None:
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    connection = sqlite3.connect(db_path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL", "cache_size=-131072"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("BEGIN IMMEDIATE")
    indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                 "AND tbl_name IN ('forecast', 'forecasttag')").fetchall()
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    source_ids = {name: number for number, name in enumerate(dict.fromkeys(r[1] for r in rows), start=1)}
    connection.executemany("INSERT INTO source (id, name, key, kind, role, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           [(i, name, name.casefold(), "person", None, STAMP) for name, i in source_ids.items()])
    previous_hash = "0" * 64
    resolution_id = 0
    for start in range(0, len(rows), CHUNK):
        forecasts, resolutions = [], []
        for forecast_id, row in enumerate(rows[start:start + CHUNK], start=start + 1):
            statement, source, probability, made_on, deadline, outcome, resolved_on = row
            key = hashlib.sha256(statement.casefold().encode()).hexdigest()
            forecasts.append((forecast_id, source_ids[source], statement, key, float(probability), made_on,
                              deadline or None, "exact" if deadline else None, "bench", STAMP))
            if outcome:
                resolution_id += 1
                resolutions.append((resolution_id, forecast_id, outcome, resolved_on, "bench", STAMP))
        connection.executemany(
            "INSERT INTO forecast (id, source_id, statement, statement_key, probability, made_on, deadline, "
            "deadline_kind, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", forecasts)
        connection.executemany(
            "INSERT INTO resolution (id, forecast_id, outcome, resolved_on, recorded_by, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", resolutions)
        payload = json.dumps({"forecasts": forecasts, "resolutions": resolutions}, ensure_ascii=False)
        entry_hash = hashlib.sha256((previous_hash + payload).encode()).hexdigest()
        connection.execute("INSERT INTO journal (at, who, kind, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
                           (STAMP, "bench", "forecasts.imported", payload, previous_hash, entry_hash))
        previous_hash = entry_hash
    for _, sql in indexes:
        connection.execute(sql)
    connection.execute("COMMIT")
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
