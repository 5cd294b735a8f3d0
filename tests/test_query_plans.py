"""The queries the commands run use indexes, and cheap paths stay cheap.

These tests assert plans and imports, not times: speed itself is measured by
benchmarks/run.py (docs/performance.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from ledger import Ledger, NewForecast
from ledger.models import Forecast, Resolution, Source, SourceAlias
from ledger.views import Filters, forecast_select, source_key

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_ledger(tmp_path: Path) -> str:
    db = str(tmp_path / "plans.db")
    with Ledger(db, today=date(2025, 6, 10)) as book:
        for i in range(30):
            logged = book.add(NewForecast(statement=f"Event {i}", source=f"S{i % 3}", probability="0.6",
                                          deadline="2025-06-08", made_on=date(2025, 6, 1), tags=["t"]))
            if i % 2:
                book.resolve(logged.forecast["id"], "yes", on=date(2025, 6, 5))
    return db


def plan(db: str, statement: object) -> str:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        rows = conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).fetchall()
    engine.dispose()
    return "\n".join(str(row[-1]) for row in rows)


def test_list_by_source_uses_the_source_index(small_ledger: str) -> None:
    detail = plan(small_ledger, forecast_select(date(2025, 6, 10), Filters(source_id=1)))
    assert "SEARCH forecast USING INDEX ix_forecast_source_deadline" in detail, detail
    # the current resolution and first citation are looked up per forecast, by index
    assert "SEARCH latest USING COVERING INDEX ix_resolution_forecast" in detail, detail
    assert "SCAN latest" not in detail and "SCAN res" not in detail


def test_review_deadline_window_uses_the_deadline_index(small_ledger: str) -> None:
    query = forecast_select(date(2025, 6, 10), Filters(unresolved=True, deadline_from=date(2025, 6, 2),
                                                        deadline_before=date(2025, 6, 9)))
    detail = plan(small_ledger, query)
    assert "USING INDEX ix_forecast_deadline" in detail, detail


def test_overdue_reads_the_table_in_order_not_through_the_deadline_index(small_ledger: str) -> None:
    """'Deadline before this week' matches most of a ledger: through the deadline index
    SQLite would read it in random order; the open-ended bound keeps the index out."""
    query = forecast_select(date(2025, 6, 10), Filters(unresolved=True, deadline_before=date(2025, 6, 9)))
    detail = plan(small_ledger, query)
    assert "ix_forecast_deadline" not in detail, detail
    # and it changes the plan, not the answer
    with Ledger(small_ledger, today=date(2025, 6, 10)) as book, book.store.session() as session:
        from ledger.views import count_forecasts, forecast_rows

        rows = forecast_rows(session, date(2025, 6, 10), Filters(unresolved=True, deadline_before=date(2025, 6, 9)))
        assert len(rows) == count_forecasts(session, date(2025, 6, 10), Filters(
            unresolved=True, deadline_before=date(2025, 6, 9))) == 15
        assert all(r["deadline"] == date(2025, 6, 8) and r["outcome"] is None for r in rows)


def test_source_and_alias_lookups_use_their_unique_indexes(small_ledger: str) -> None:
    detail = plan(small_ledger, select(Source).where(Source.key == source_key("S1")))
    assert "USING INDEX" in detail and "SCAN source" not in detail, detail
    detail = plan(small_ledger, select(SourceAlias).where(SourceAlias.key == "x"))
    assert "USING INDEX" in detail, detail


def test_dedup_and_resolution_lookups_use_indexes(small_ledger: str) -> None:
    detail = plan(small_ledger, select(Forecast.id).where(Forecast.statement_key == "k", Forecast.source_id == 1))
    assert "INDEX ix_forecast_dedup" in detail, detail
    detail = plan(small_ledger, select(Resolution).where(Resolution.forecast_id == 3).order_by(Resolution.id.desc()))
    assert "SEARCH resolution USING" in detail and "SCAN resolution" not in detail, detail


def test_postgres_uses_the_source_index(pg_empty_url: str) -> None:
    from ledger.store import Store

    store = Store(pg_empty_url)
    store.upgrade()
    engine = store.engine
    with engine.begin() as conn:
        conn.execute(text("SET enable_seqscan = off"))  # tiny tables: ask whether an index *can* serve
        compiled = forecast_select(date(2025, 6, 10), Filters(source_id=1)).compile(
            conn, compile_kwargs={"literal_binds": True})
        rows = conn.execute(text(f"EXPLAIN {compiled}")).fetchall()
    store.dispose()
    detail = "\n".join(r[0] for r in rows)
    assert "ix_forecast_source_deadline" in detail, detail


def test_opening_an_up_to_date_ledger_does_not_import_alembic(small_ledger: str) -> None:
    code = ("import sys, json\nfrom ledger.cli import cli\n"
            "try:\n    cli.main(['--db', sys.argv[1], 'list', '-f', 'json'], standalone_mode=False)\n"
            "except SystemExit:\n    pass\n"
            "print('MODULES=' + json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, small_ledger], capture_output=True, text=True, check=True)
    modules = json.loads(done.stdout.rsplit("MODULES=", 1)[1])
    packages = {name.split(".")[0] for name in modules}
    assert "sqlalchemy" in packages and "alembic" not in packages and "matplotlib" not in packages
    # an SQLite ledger has no use for the PostgreSQL dialect (≈60 ms to import)
    assert "sqlalchemy.dialects.sqlite" in modules and "sqlalchemy.dialects.postgresql" not in modules


def test_word_parsers_import_nothing_heavy() -> None:
    code = ("import sys, json\nimport ledger.language.timeframe, ledger.language.probability\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(done.stdout))
    assert not modules & {"sqlalchemy", "sqlmodel", "alembic", "pydantic", "click", "matplotlib", "trafilatura"}
