"""Walk through the first real case: the Trump–Xi call forecasts of early June 2025.

Logs the forecasts in data/trump-xi-call.txt, records the alias the original report
used, resolves the call forecasts `yes` on 5 June 2025 (the call took place that
Thursday), prints the history and scores the sources. It uses your default ledger unless LEDGER_DB or
--db says otherwise; run it again and it adds nothing.

    python data/first_case.py [--db PATH|URL]
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

DB = sys.argv[sys.argv.index("--db") + 1:][:1] if "--db" in sys.argv else []
ARTICLE = ["--published", "2025-06-02", "--outlet", "Ledger Sample Wire",
           "--title", "White House expects Trump and Xi to speak this week as trade talks stall",
           "--url", "https://example.org/ledger-sample/trump-xi-call"]


def ledger(*args: str, show: bool = True) -> str:
    command = [sys.executable, "-m", "ledger", *(["--db", DB[0]] if DB else []), *args]
    if show:
        print("$ ledger " + shlex.join(args), flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if show:
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        print(flush=True)
    if done.returncode != 0:
        sys.exit(done.returncode)
    return done.stdout


def add(*args: str) -> int:
    first_line = ledger("add", *args, *ARTICLE).splitlines()[0]  # "logged forecast N: ..."
    return int(first_line.split(":")[0].split()[-1])


def resolve_once(forecast_id: int, *args: str) -> None:
    row = json.loads(ledger("show", str(forecast_id), "-f", "json", show=False))
    if row["outcome"] is None:
        ledger("resolve", str(forecast_id), *args)


call = add("Trump and Xi hold a phone call by Sunday 8 June 2025",
           "--source", "Karoline Leavitt", "--role", "White House Press Secretary",
           "-P", "likely to talk this week", "-d", "this week",
           "--quote", "likely to talk this week", "-t", "us-china")
hassett = add("Trump and Xi hold a phone call by Sunday 8 June 2025",
              "--source", "Kevin Hassett", "--role", "National Economic Council Director",
              "-P", "likely", "-d", "this week", "--made-on", "2025-06-01", "-t", "us-china")
xi = add("Xi takes Trump's phone call", "--source", "a person familiar with the trade negotiations",
         "--source-kind", "anonymous", "-P", "high probability", "--quote", "high probability",
         "-t", "us-china")
add("China resumes exports of rare earth elements or magnets to the United States",
    "--source", "a person familiar with the trade negotiations", "--source-kind", "anonymous",
    "-P", "I don't think", "--quote", "I don't think Xi is too interested in exporting any more "
    "rare earth elements", "-t", "us-china")
add("Trump and Xi hold a phone call", "--source", "outside observers", "--source-kind", "anonymous",
    "-P", "skeptical", "--quote", "skeptical about the likelihood of the call", "-t", "us-china")
add("A Trump–Xi call brings cardinal changes in US–China trade relations",
    "--source", "Washington", "--source-kind", "organisation", "-P", "unlikely",
    "-d", "for the time being", "--quote", "cardinal changes are unlikely for the time being",
    "-t", "us-china")

ledger("sources", "alias", "Karoline Leavitt", "Caroline Leavitt")
evidence = "Trump and Xi spoke by phone on Thursday 5 June 2025 (readouts from both governments)"
for forecast_id in (call, hassett, xi):
    resolve_once(forecast_id, "yes", "--on", "2025-06-05", "--evidence", evidence)
ledger("list")
ledger("history", str(call))
ledger("report", "--min-n", "1")
