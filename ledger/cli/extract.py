"""`ledger extract`: draft ledger entries from an article."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import DATE, note, out, pass_state
from ledger.vocabulary import SOURCE_KINDS

COLUMNS = ("source", "source_kind", "quote", "phrase", "probability", "deadline", "made_on", "confidence")
KEYS = ("sentence", "quote", "statement", "source", "source_kind", "role", "phrase", "probability",
        "deadline_phrase", "deadline", "deadline_kind", "made_on", "confidence", "reason")


@click.command(epilog="""\b
Examples:
  ledger extract data/trump-xi-call.txt --published 2025-06-02 --outlet "Ledger Sample Wire"
  ledger extract https://example.org/news/story.html -f json
  ledger extract story.html --interactive
  cat story.txt | ledger extract - --published 2025-06-02 --yes
""")
@click.argument("source", metavar="[FILE|URL|-]", default="-")
@click.option("--published", type=DATE, help="Publication date (default: the page's date, else today).")
@click.option("--outlet", help="The outlet (default: the page's site name).")
@click.option("--url", help="The article's URL (default: the page's).")
@click.option("--title", help="The article's title (default: the page's).")
@click.option("--scale", help="Scale for probability words.")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json", "jsonl")), default="table",
              show_default=True, help="Output format for the candidates.")
@click.option("--interactive", is_flag=True, help="Walk the candidates: accept, edit, skip or quit.")
@click.option("--yes", "accept_all", is_flag=True, help="Log every candidate.")
@pass_state
def extract(state: Any, source: str, published: Any, outlet: str | None, url: str | None,
            title: str | None, scale: str | None, fmt: str, interactive: bool, accept_all: bool) -> None:
    """Find the forecasts in an article and draft ledger entries.

    Without --interactive or --yes it only prints the candidates and writes nothing.
    Each logged forecast cites the article (URL, outlet, title, date) and its quote;
    running it again on the same article adds nothing.
    """
    from ledger.articles import read_article
    from ledger.language.extract import extract as find
    from ledger.language.scales import default_scale_name
    from ledger.render import render_rows

    if interactive and accept_all:
        raise click.UsageError("--interactive and --yes do not go together")
    article = read_article(source)
    published = published or article.published or state.effective_today
    outlet = outlet or article.outlet or "the outlet"
    meta = {"url": url or article.url, "outlet": outlet, "title": title or article.title, "published": published}
    candidates = [c.as_dict() for c in find(article.text, published, outlet=outlet, scale=scale or default_scale_name())]
    note(f"{len(candidates)} candidate forecast(s) in {source} (published {published}, outlet {outlet})")
    if not (interactive or accept_all):
        if fmt == "table":
            out(render_rows(candidates, fmt, columns=COLUMNS, widths={"quote": 60, "source": 30},
                            empty="no forecasts found"))
        else:
            out(render_rows(candidates, fmt, columns=KEYS))
        return
    logged = 0
    for index, candidate in enumerate(candidates, start=1):
        if interactive:
            candidate = _ask(candidate, index, len(candidates))
            if candidate is None:
                continue
            if candidate == "quit":
                break
        result = state.ledger.log_candidate(candidate, meta, scale=scale)
        logged += 1 if result.created or result.cited else 0
        verb = "logged" if result.created else ("cited" if result.cited else "already logged")
        out(f"{verb} forecast {result.forecast['id']}: {result.forecast['statement']}")
    note(f"{logged} forecast(s) or citation(s) added")


def _ask(candidate: dict[str, Any], index: int, total: int) -> Any:
    out("")
    out(f"[{index}/{total}] {candidate['quote']}")
    out(f"  statement    {candidate['statement']}")
    out(f"  source       {candidate['source']} ({candidate['source_kind']})")
    out(f"  probability  {candidate['phrase'] or ''} → {candidate['probability']}")
    out(f"  deadline     {candidate['deadline_phrase'] or 'none'} → {candidate['deadline'] or 'undated'}")
    out(f"  made on      {candidate['made_on']}")
    key = click.prompt("[a]ccept  [e]dit  [s]kip  [q]uit", type=click.Choice(list("aesq")), show_choices=False)
    if key == "q":
        return "quit"
    if key == "s":
        return None
    if key == "e":
        edited = dict(candidate)
        edited["statement"] = click.prompt("statement", default=candidate["statement"])
        edited["source"] = click.prompt("source", default=candidate["source"])
        edited["source_kind"] = click.prompt("source kind", default=candidate["source_kind"],
                                             type=click.Choice(SOURCE_KINDS))
        edited["phrase"] = click.prompt("probability (words or number)",
                                        default=candidate["phrase"] or str(candidate["probability"]))
        edited["probability"] = None
        edited["deadline_phrase"] = click.prompt("deadline (words or date; '-' for none)",
                                                 default=candidate["deadline_phrase"] or "-")
        if edited["deadline_phrase"] == "-":
            edited["deadline_phrase"] = None
        edited["made_on"] = click.prompt("made on", default=candidate["made_on"])
        return edited
    return candidate
