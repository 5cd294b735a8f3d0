"""`ledger extract`: the sample article end to end, attribution patterns, HTML and URLs."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ledger.language.extract import extract, sentences
from tests.conftest import Cli

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "trump-xi-call.txt"
MONDAY = date(2025, 6, 2)


def found(text: str, published: date = MONDAY, outlet: str = "Daily Example") -> list[dict]:
    return [c.as_dict() for c in extract(text, published, outlet=outlet)]


def test_sample_article_finds_every_forecast_and_nothing_else() -> None:
    rows = found(SAMPLE.read_text(), outlet="Ledger Sample Wire")
    summary = [(r["source"], r["source_kind"], r["phrase"], r["deadline"], r["made_on"]) for r in rows]
    assert summary == [
        ("Karoline Leavitt", "person", "likely", "2025-06-08", "2025-06-02"),
        ("Kevin Hassett", "person", "likely", "2025-06-08", "2025-06-01"),   # said on Sunday
        ("A person familiar with the trade negotiations", "anonymous", "high probability", None, "2025-06-02"),
        ("A person familiar with the trade negotiations", "anonymous", "probably not", None, "2025-06-02"),
        ("Outside observers", "anonymous", "probably not", None, "2025-06-02"),
        ("Washington", "organisation", "unlikely", "vague", "2025-06-02"),
    ]
    assert rows[0]["role"] == "White House Press Secretary"
    assert rows[0]["deadline_phrase"] == "this week" and rows[0]["statement"] == "The two leaders will talk this week"
    assert rows[2]["statement"] == "Xi will take the call"
    assert "rare earth" in rows[3]["quote"]
    assert rows[5]["deadline_phrase"] == "for the time being"
    keys = {"sentence", "quote", "statement", "source", "source_kind", "role", "phrase", "probability",
            "deadline_phrase", "deadline", "deadline_kind", "made_on", "confidence"}
    assert all(keys <= set(r) and 0 < r["confidence"] <= 1 for r in rows)


@pytest.mark.parametrize(("text", "source", "kind"), [
    ('"Prices will rise next month," said Ana Ruiz, the chief economist.', "Ana Ruiz", "person"),
    ('"Prices will rise next month," Ana Ruiz said.', "Ana Ruiz", "person"),
    ("Ana Ruiz says prices are likely to rise next month.", "Ana Ruiz", "person"),
    ("According to Ana Ruiz, prices are likely to rise next month.", "Ana Ruiz", "person"),
    ("Ana Ruiz told reporters that prices are likely to rise next month.", "Ana Ruiz", "person"),
    ("Ana Ruiz, the chief economist at the bank, said prices are likely to rise next month.", "Ana Ruiz", "person"),
    ("Ana Ruiz predicted prices would rise next month.", "Ana Ruiz", "person"),
    ("A White House official said the deal is likely to be signed this week.", "A White House official", "anonymous"),
    ("A person familiar with the talks said a deal is likely this week.", "A person familiar with the talks",
     "anonymous"),
    ("The White House expects the deal to be signed this week.", "White House", "organisation"),
    ("The deal is expected to be signed this week.", "Daily Example", "outlet"),
])
def test_attribution_patterns(text: str, source: str, kind: str) -> None:
    rows = found(text)
    assert len(rows) == 1, rows
    assert (rows[0]["source"], rows[0]["source_kind"]) == (source, kind)


@pytest.mark.parametrize(("text", "source", "kind", "statement"), [
    ("Ana Ruiz said the plant will close by March.", "Ana Ruiz", "person", "The plant will close by March"),
    ("The minister said that fuel prices will fall next month.", "minister", "anonymous",
     "Fuel prices will fall next month"),
    ("The central bank said inflation will ease by the end of the year.", "central bank", "organisation",
     "Inflation will ease by the end of the year"),
])
def test_will_in_reported_speech(text: str, source: str, kind: str, statement: str) -> None:
    rows = found(text)
    assert [(r["source"], r["source_kind"], r["phrase"], r["statement"]) for r in rows] == [
        (source, kind, "will", statement)]


@pytest.mark.parametrize("text", ["He said he will run again next year.",
                                  "The company said it will open a store next year."])
def test_reported_intentions_are_not_forecasts(text: str) -> None:
    assert found(text) == []


def test_pronouns_and_continuing_quotes_take_the_last_speaker() -> None:
    text = ("Ana Ruiz is the chief economist at the bank.\n\nShe said prices are likely to rise next month. "
            "\"Rents will follow by the end of the year. Wages will not keep up,\" she added.")
    rows = found(text)
    assert [r["source"] for r in rows] == ["Ana Ruiz", "Ana Ruiz", "Ana Ruiz"]


def test_role_before_the_name_is_kept_apart() -> None:
    rows = found("NASA Administrator Jim Bridenstine has said the mission may be ready to launch by late August.")
    assert (rows[0]["source"], rows[0]["role"]) == ("Jim Bridenstine", "NASA Administrator")
    assert rows[0]["deadline"] == "2025-08-31" and rows[0]["probability"] == 0.5


def test_a_passive_forecast_goes_to_the_agency_named_before() -> None:
    text = ("The National Weather Service (NWS) issued a storm warning yesterday.\n\n"
            "The storm was forecast to reach the coast on Wednesday.")
    rows = found(text, published=date(2025, 6, 3))  # a Tuesday: the warning was issued on Monday
    assert rows[0]["source"] == "National Weather Service (NWS)" and rows[0]["made_on"] == "2025-06-02"
    assert rows[0]["deadline"] == "2025-06-04"


@pytest.mark.parametrize("text", [
    "Will prices rise next month?",
    "If rates fall, prices will likely rise next month, Ana Ruiz said.",
    "The launch is scheduled to take place on Friday.",
    "The company plans to open a store next year.",
    "Last year the crop had a good chance of survival.",
    "It crashed about half a mile (likely less than a kilometer) south of the airport.",
    "\"I will not resign,\" the minister said.",
    "Theresa May stepped down on July 24.",
])
def test_look_alikes_are_not_candidates(text: str) -> None:
    assert found(text) == []


def test_sentences_keep_abbreviations_together() -> None:
    parts = [s for _, s in sentences("Headline here\n\nMr. Smith said the U.S. economy will grow. Dr. Lee agreed.")]
    assert parts == ["Mr. Smith said the U.S. economy will grow.", "Dr. Lee agreed."]


def test_cli_prints_candidates_without_writing(tmp_path: Path) -> None:
    cli = Cli(str(tmp_path / "l.db"))
    result = cli.ok("extract", str(SAMPLE), "--published", "2025-06-02", "--outlet", "Ledger Sample Wire",
                    "-f", "json")
    rows = json.loads(result.stdout)
    assert len(rows) == 6 and rows[0]["source"] == "Karoline Leavitt"
    assert "6 candidate forecast(s)" in result.stderr
    assert json.loads(cli.ok("list", "-f", "json").stdout) == []


def test_cli_yes_logs_with_citations_and_rerun_adds_nothing(ledger_cli: Cli) -> None:
    args = ("extract", str(SAMPLE), "--published", "2025-06-02", "--outlet", "Ledger Sample Wire",
            "--url", "https://example.org/sample", "--title", "Sample", "--yes")
    ledger_cli.ok(*args)
    rows = json.loads(ledger_cli.ok("list", "-f", "json").stdout)
    assert len(rows) == 6
    assert {r["url"] for r in rows} == {"https://example.org/sample"}
    assert rows[1]["source"] == "Kevin Hassett" and rows[1]["made_on"] == "2025-06-01"
    assert rows[5]["deadline"] is None and rows[5]["deadline_phrase"] == "for the time being"
    again = ledger_cli.ok(*args)
    assert "0 forecast(s) or citation(s) added" in again.stderr
    assert len(json.loads(ledger_cli.ok("list", "-f", "json").stdout)) == 6
    # known sources and aliases are matched, not duplicated
    ledger_cli.ok("sources", "alias", "Karoline Leavitt", "K. Leavitt")
    sources = json.loads(ledger_cli.ok("sources", "-f", "json").stdout)
    assert len(sources) == 5


def test_cli_interactive_accept_edit_skip_quit(tmp_path: Path) -> None:
    cli = Cli(str(tmp_path / "l.db"))
    answers = "a\ne\nThe leaders speak by phone\nKevin A. Hassett\nperson\nlikely\nthis week\n2025-06-01\ns\nq\n"
    result = cli("extract", str(SAMPLE), "--published", "2025-06-02", "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    rows = json.loads(cli.ok("list", "-f", "json").stdout)
    assert [(r["source"], r["statement"]) for r in rows] == [
        ("Karoline Leavitt", "The two leaders will talk this week"),
        ("Kevin A. Hassett", "The leaders speak by phone")]
    assert rows[1]["deadline"] == "2025-06-08"


HTML = """<!doctype html><html><head><title>Rates outlook</title>
<meta property="og:site_name" content="Example Business News">
<meta name="date" content="2025-06-02"></head>
<body><article><h1>Rates outlook</h1>
<p>The central bank is likely to cut interest rates next month, economist Ana Ruiz said on Monday.</p>
<p>She said inflation had fallen faster than the bank had hoped over the spring, and that the labour market
was cooling in most regions of the country.</p></article></body></html>"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "story.html").write_text(HTML)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_html_file_and_url(tmp_path: Path, served: str) -> None:
    pytest.importorskip("trafilatura", reason="the html extra is not installed")
    cli = Cli(str(tmp_path / "l.db"))
    page = tmp_path / "story.html"
    rows = json.loads(cli.ok("extract", str(page), "-f", "json").stdout)
    assert [(r["source"], r["phrase"], r["deadline"]) for r in rows] == [("Ana Ruiz", "likely", "2025-07-31")]
    result = cli.ok("extract", f"{served}/story.html", "--yes")
    assert "Example Business News" in result.stderr and "published 2025-06-02" in result.stderr
    logged = json.loads(cli.ok("list", "-f", "json").stdout)
    assert logged[0]["url"] == f"{served}/story.html" and logged[0]["outlet"] == "Example Business News"
    missing = cli("extract", f"{served}/nope.html")
    assert missing.exit_code == 1 and "HTTP 404" in missing.stderr
