"""Forecast Ledger benchmarks: every figure measured in one run, with baselines from the
same run, so that ratios (not absolute seconds on a noisy machine) are what we compare.

    python benchmarks/run.py [--quick] [--no-postgres] [--out docs/benchmark-results.json]

--quick stops at 100,000 forecasts and takes fewer repeats. Results print as a table and
are written as JSON; docs/performance.md records a run. PostgreSQL rows use
LEDGER_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) in a
schema of their own, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG_URL = os.environ.get("LEDGER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "LEDGER_TODAY": "2025-07-15", "LEDGER_USER": "bench"}
RESULTS: list[dict] = []


def run(argv: list[str], stdin: str | None = None) -> tuple[float, int]:
    """Wall time and peak memory (KiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, text=True)
    if stdin:
        process.stdin.write(stdin)
        process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{process.stderr.read()}")
    return elapsed, usage.ru_maxrss


def timed(argv: list[str], repeats: int) -> tuple[float, int]:
    runs = [run(argv) for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def paired(argv: list[str], baseline: Callable[[], float], repeats: int) -> tuple[float, int, float]:
    """The command and its baseline run by turns, so that both meet the same noise (this
    machine's speed drifts by tens of percent over minutes): medians and peak memory."""
    runs, baselines = [], []
    for _ in range(repeats):
        runs.append(run(argv))
        baselines.append(baseline())
    return statistics.median(t for t, _ in runs), max(m for _, m in runs), statistics.median(baselines)


def command(argv: list[str]) -> Callable[[], float]:
    return lambda: run(argv)[0]


def record(name: str, seconds: float, memory_kib: int | None = None, baseline: str | None = None,
           baseline_seconds: float | None = None, target: str | None = None, **extra: object) -> None:
    row = {"benchmark": name, "seconds": round(seconds, 4),
           "peak_mib": round(memory_kib / 1024, 1) if memory_kib else None,
           "baseline": baseline, "baseline_seconds": round(baseline_seconds, 4) if baseline_seconds else None,
           "ratio": round(seconds / baseline_seconds, 2) if baseline_seconds else None, "target": target, **extra}
    RESULTS.append(row)
    ratio = f"  ×{row['ratio']} of {baseline}" if baseline_seconds else ""
    memory = f"  {row['peak_mib']} MiB" if memory_kib else ""
    rates = "".join(f"  {value:,} {key.replace('_', ' ')}" for key, value in extra.items()
                    if key.endswith("per_second"))
    print(f"{name:<52} {seconds:9.3f} s{memory}{ratio}{rates}", flush=True)


def ledger(db: str, *args: str) -> list[str]:
    return [PYTHON, "-m", "ledger", "--db", db, *args]


def write_csv(path: Path, rows: int, sources: int, seed: int = 7) -> None:
    """Forecasts with numeric probabilities, nine in ten resolved (the issue's synthetic ledger)."""
    rng = random.Random(seed)
    with path.open("w") as handle:
        handle.write("statement,source,probability,made_on,deadline,outcome,resolved_on\n")
        for i in range(rows):
            p = round(rng.random(), 2)
            outcome = "yes" if rng.random() < p else "no"
            deadline = f"2025-0{1 + i % 6}-{10 + i % 18}"
            if i % 10 == 0:  # a tenth unresolved, for the review
                handle.write(f"Synthetic event {i} happens,Source {i % sources},{p},2025-01-01,{deadline},,\n")
            else:
                handle.write(f"Synthetic event {i} happens,Source {i % sources},{p},2025-01-01,{deadline},"
                             f"{outcome},{deadline}\n")


# --- start-up --------------------------------------------------------------------------


def startup(work: Path, repeats: int) -> None:
    help_argv = [PYTHON, "-m", "ledger", "--help"]
    help_time, memory, python_pass = paired(help_argv, command([PYTHON, "-c", "pass"]), repeats)
    record("ledger --help", help_time, memory, "python -c pass", python_pass, "< 0.15 s absolute")
    help_time, memory, import_click = paired(help_argv, command([PYTHON, "-c", "import click"]), repeats)
    record("ledger --help (vs import click)", help_time, memory, "python -c 'import click'", import_click, "≤ 4×")


def small_commands(work: Path, repeats: int) -> None:
    db = str(work / "10k.db")
    csv_path = work / "10k.csv"
    write_csv(csv_path, 10_000, 1_000)
    run(ledger(db, "import", str(csv_path)))
    sqlmodel = command([PYTHON, "-c", "import sqlmodel"])
    for name, argv, target in (
            ("ledger list (10k forecasts)", ledger(db, "list"), "≤ 1.5×"),
            ("ledger list --source S (10k forecasts)", ledger(db, "list", "--status", "due", "--source", "Source 7"),
             "≤ 1.5×"),
            ("ledger show (10k forecasts)", ledger(db, "show", "5000"), "≤ 1.5×"),
            ("ledger add (one call)", ledger(db, "add", "A benchmark event happens", "-s", "Bench", "-P", "likely",
                                             "-d", "next month"), None)):
        seconds, memory, baseline = paired(argv, sqlmodel, repeats)
        record(name, seconds, memory, "python -c 'import sqlmodel'", baseline, target)
    code = ("import time; from datetime import date; from ledger import Ledger, NewForecast\n"
            f"book = Ledger({db!r}, today=date(2025, 6, 11))\n"
            "start = time.perf_counter()\n"
            "for i in range(1000):\n"
            "    book.add(NewForecast(statement=f'API event {i}', source='API', probability='0.6', deadline='2025-12-31'))\n"
            "print(time.perf_counter() - start)")
    done = subprocess.run([PYTHON, "-c", code], env=ENV, capture_output=True, text=True, check=True)
    seconds = float(done.stdout.strip().splitlines()[-1])
    record("1,000 adds through the Python API", seconds, None, None, None, None,
           per_add_ms=round(seconds, 4))


# --- the word parsers and the extractor, in process ---------------------------------------


def parsers() -> None:
    import csv as csv_module

    from ledger.language import timeframe
    from ledger.language.probability import parse_probability

    cases = list(csv_module.DictReader((ROOT / "tests" / "data" / "deadline-cases.csv").open()))
    phrases = [(c["phrase"], date.fromisoformat(c["made_on"])) for c in cases]
    rounds, start = 0, time.perf_counter()
    while time.perf_counter() - start < 3.0:
        timeframe._parse_cached.cache_clear()  # measure parsing, not the cache
        for text, made_on in phrases:
            timeframe.parse_deadline(text, made_on)
        rounds += 1
    seconds = time.perf_counter() - start
    rate = rounds * len(phrases) / seconds
    record("parse_deadline, 75 reference cases repeated, uncached", seconds, None, None, None,
           "≥ 20,000 phrases/s", phrases_per_second=round(rate))
    from ledger.language import probability
    from ledger.language.scales import load_scale

    words = [f"officials say it is {p} to happen" for p in load_scale("default").rows] + [
        "a high probability Xi takes the call", "I don't think so", "70%", "3 to 1 against", "not likely"]
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 2.0:
        probability._parse_cached.cache_clear()
        for text in words:
            parse_probability(text)
            count += 1
    seconds = time.perf_counter() - start
    record("parse_probability, quotes, uncached", seconds, None, None, None, None,
           phrases_per_second=round(count / seconds))


def extraction() -> None:
    labels = ROOT.parent / "shared" / "eval" / "dev" / "labels.json"
    if not labels.exists():
        print("extract throughput: no dev articles next to this checkout; skipped")
        return
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from extract_eval import throughput

    rate = throughput(labels, seconds=5.0)
    record("extract, plain-text articles (dev set, ~4,500 chars)", 5.0, None, None, None, "≥ 200 articles/s",
           articles_per_second=round(rate, 1))


# --- scale: report, review, export, import -----------------------------------------------


# The baselines compute the same per-source Brier scores in one plain SQL aggregate. "The
# same scores" means the same counting policy: each forecast's current resolution, the one
# no later resolution supersedes. The bare join (which differs on a ledger with corrected
# resolutions) is timed too, for comparison.
CURRENT = " AND NOT EXISTS (SELECT 1 FROM resolution s WHERE s.supersedes_id = r.id)"


def plain_brier_sql(outcome: str, current: bool) -> str:
    """Per-source n and Brier mean; `outcome` is the dialect's 0/1 for a yes."""
    return (f"SELECT f.source_id, count(*), avg((f.probability - {outcome}) * (f.probability - {outcome})) "
            "FROM forecast f JOIN resolution r ON r.forecast_id = f.id "
            f"WHERE r.outcome IN ('yes', 'no'){CURRENT if current else ''} GROUP BY f.source_id")


def plain_brier_sqlite(path: str, current: bool = True) -> float:
    sql = plain_brier_sql("(r.outcome = 'yes')", current)
    code = f"import sqlite3, sys\nsqlite3.connect(sys.argv[1]).execute({sql!r}).fetchall()\n"
    seconds, _ = run([PYTHON, "-c", code, path])
    return seconds


def plain_brier_postgres(url: str, current: bool = True) -> float:
    sql = plain_brier_sql("(r.outcome = 'yes')::int", current)
    code = ("import sys, psycopg\n"
            "from urllib.parse import urlsplit, parse_qs\n"
            "u = urlsplit(sys.argv[1])\n"
            "opts = parse_qs(u.query).get('options', [None])[0]\n"
            "c = psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname=u.path[1:], "
            "options=opts)\n"
            f"c.execute({sql!r}).fetchall()\n")
    seconds, _ = run([PYTHON, "-c", code, url])
    return seconds


def record_report(label: str, same: tuple[float, int, float], bare: tuple[float, int, float], size: int) -> None:
    """The report against each baseline, each pair timed by turns."""
    record(f"ledger report --by source ({size:,}, {label})", same[0], same[1], "plain SQL aggregate", same[2],
           "≤ 3×", rows=size)
    record(f"  same, against the bare join ({size:,}, {label})", bare[0], bare[1],
           "plain SQL join, no current-resolution check", bare[2], None, rows=size)


def sqlite_dot_import(csv_path: Path, work: Path) -> float:
    target = work / "plain-import.db"
    target.unlink(missing_ok=True)
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        code = ("import csv, sqlite3, sys\n"
                "c = sqlite3.connect(sys.argv[2]); r = csv.reader(open(sys.argv[1])); h = next(r)\n"
                "c.execute('CREATE TABLE t (' + ','.join(h) + ')')\n"
                "c.executemany('INSERT INTO t VALUES (' + ','.join('?' * len(h)) + ')', r); c.commit()\n")
        seconds, _ = run([PYTHON, "-c", code, str(csv_path), str(target)])
        return seconds
    seconds, _ = run([sqlite, str(target), f".import --csv {csv_path} t"])
    return seconds


def import_by_turns(csv_path: Path, db: str, work: Path, repeats: int) -> tuple[float, int, float, dict]:
    """`ledger import` into a new ledger (the staged bulk load) and `sqlite3 .import` of the
    same file, by turns: medians, the peak memory, and every turn's times. The last ledger
    stays for the benchmarks after."""
    runs, baselines = [], []
    for _ in range(repeats):
        for leftover in Path(db).parent.glob(Path(db).name + "*"):
            leftover.unlink()
        runs.append(run(ledger(db, "import", str(csv_path))))
        baselines.append(sqlite_dot_import(csv_path, work))
    turns = {"turns_s": [round(t, 3) for t, _ in runs], "baseline_turns_s": [round(t, 3) for t in baselines]}
    return statistics.median(t for t, _ in runs), max(m for _, m in runs), statistics.median(baselines), turns


def import_row_by_row(csv_path: Path, work: Path) -> tuple[float, int]:
    """The same file into a ledger that already has a forecast, which the staged load does
    not take: the row-at-a-time import, as for appending to a ledger in use."""
    target = work / "rows.db"
    for leftover in work.glob("rows.db*"):
        leftover.unlink()
    run(ledger(str(target), "add", "A forecast already in the ledger", "--source", "Someone", "-P", "0.5"))
    return run(ledger(str(target), "import", str(csv_path)))


def import_floor(csv_path: Path, work: Path) -> tuple[float, int]:
    """benchmarks/import_floor.py into an empty ledger: SQLite's own cost of the import's rows."""
    target = work / "floor.db"
    for leftover in work.glob("floor.db*"):
        leftover.unlink()
    run(ledger(str(target), "db", "upgrade"))
    return run([PYTHON, str(ROOT / "benchmarks" / "import_floor.py"), str(csv_path), str(target)])


def fixed_groups(db: str, size: int, repeats: int, work: Path) -> None:
    """Report and review memory against forecasts alone: the synthetic ledgers get more
    sources as they grow (and the report one row per source), so the same ledger is copied
    with every forecast moved to one of 100 sources, and reported and reviewed again (the
    review's largest source then has a tenth of the overdue forecasts in one table)."""
    import sqlite3

    copy = work / f"{size}-100-sources.db"
    shutil.copyfile(db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE forecast SET source_id = (source_id % 100) + 1")
    seconds, memory = timed(ledger(str(copy), "report", "--by", "source"), repeats)
    record(f"ledger report --by source ({size:,}, 100 sources, SQLite)", seconds, memory, None, None,
           "memory flat", rows=size)
    seconds, memory = timed(ledger(str(copy), "review", "-p", "2025-W24"), repeats)
    record(f"ledger review ({size:,}, 100 sources, SQLite)", seconds, memory, None, None, "memory flat", rows=size)
    copy.unlink()


def scale(work: Path, sizes: list[int], repeats: int, postgres: bool) -> None:
    for size in sizes:
        csv_path = work / f"{size}.csv"
        write_csv(csv_path, size, min(10_000, max(size // 100, 10)))
        db = str(work / f"{size}.db")
        seconds, memory, baseline, turns = import_by_turns(csv_path, db, work, repeats)
        record(f"ledger import ({size:,} rows, SQLite)", seconds, memory, "sqlite3 .import", baseline, "≤ 10×",
               rows=size, per_row_us=round(seconds / size * 1e6, 1), **turns)
        rows_seconds, rows_memory = import_row_by_row(csv_path, work)
        record(f"  row by row: into a ledger that has forecasts ({size:,})", rows_seconds, rows_memory,
               "sqlite3 .import", baseline, None, rows=size, per_row_us=round(rows_seconds / size * 1e6, 1))
        floor, floor_memory = import_floor(csv_path, work)
        record(f"  floor: the same rows into the ledger's tables, no validation ({size:,})", floor, floor_memory,
               "sqlite3 .import", baseline, None, rows=size, per_row_us=round(floor / size * 1e6, 1))
        report = ledger(db, "report", "--by", "source")
        report_time, memory, plain = paired(report, partial(plain_brier_sqlite, db), repeats)
        bare_time, bare_memory, bare = paired(report, partial(plain_brier_sqlite, db, current=False), repeats)
        record_report("SQLite", (report_time, memory, plain), (bare_time, bare_memory, bare), size)
        fixed_groups(db, size, repeats, work)
        review_time, memory = timed(ledger(db, "review", "-p", "2025-W24"), repeats)
        record(f"ledger review ({size:,}, SQLite)", review_time, memory, None, None, "linear or better", rows=size)
        export_time, memory = run(ledger(db, "export", "-o", str(work / f"{size}.jsonl")))
        record(f"ledger export ({size:,}, SQLite)", export_time, memory, None, None, "memory flat", rows=size)
        if postgres:
            scale_postgres(csv_path, size, repeats)


def scale_postgres(csv_path: Path, size: int, repeats: int) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    schema = "bench_" + uuid.uuid4().hex[:8]
    url = make_url(PG_URL)
    admin = dict(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database, autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    db = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    try:
        run(ledger(db, "db", "upgrade"))
        seconds, memory = run(ledger(db, "import", str(csv_path)))
        record(f"ledger import ({size:,} rows, PostgreSQL)", seconds, memory, None, None, None, rows=size,
               per_row_us=round(seconds / size * 1e6, 1))
        report = ledger(db, "report", "--by", "source")
        report_time, memory, plain = paired(report, partial(plain_brier_postgres, db), repeats)
        bare_time, bare_memory, bare = paired(report, partial(plain_brier_postgres, db, current=False), repeats)
        record_report("PostgreSQL", (report_time, memory, plain), (bare_time, bare_memory, bare), size)
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    quick = "--quick" in sys.argv
    postgres = "--no-postgres" not in sys.argv
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else None
    repeats = 3 if quick else 5
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    work = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {date.today()}; work in {work}")
    # Time the package as installed: pip compiles bytecode at install, but a checkout run
    # with PYTHONDONTWRITEBYTECODE=1 (as on this machine) would recompile every module on
    # every command, ~0.15 s that no installed user pays.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "ledger")], check=True)
    try:
        startup(work, repeats * 2)
        parsers()
        extraction()
        small_commands(work, repeats * 2)  # ±10% noise on a ~1 s command: more turns, steadier medians
        scale(work, sizes, repeats, postgres)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if out:
        out.write_text(json.dumps({"date": str(date.today()), "quick": quick, "results": RESULTS}, indent=2) + "\n")
        print(f"written to {out}")


if __name__ == "__main__":
    main()
