"""Commands that read words without touching the ledger: scales and parse-deadline."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import DATE, format_option, note, out, pass_state


@click.group(invoke_without_command=True, epilog="""\b
Examples:
  ledger scales
  ledger scales show icd203 -f markdown
  ledger scales explain "a high probability Xi takes the call"
  ledger scales explain "likely" --scale my-newsroom.csv
""")
@format_option()
@click.pass_context
def scales(ctx: click.Context, fmt: str) -> None:
    """List the probability scales (phrase tables) available."""
    if ctx.invoked_subcommand is not None:
        return
    from ledger.language.scales import BUILTIN_SCALES, default_scale_name, load_scale
    from ledger.render import render_rows

    rows = []
    for name in BUILTIN_SCALES:
        scale = load_scale(name)
        rows.append({"name": name, "phrases": len(scale.rows),
                     "default": name == default_scale_name(), "origin": scale.origin})
    out(render_rows(rows, fmt))


@scales.command("show", epilog="""\b
Examples:
  ledger scales show default
  ledger scales show icd203 -f markdown
  ledger scales show ./newsroom-scale.csv
""")
@click.argument("name")
@format_option()
def show_scale(name: str, fmt: str) -> None:
    """Print one scale: phrase, probability, range and source."""
    from ledger.language.scales import load_scale
    from ledger.render import render_rows

    scale = load_scale(name)
    rows = [{"phrase": r.phrase, "probability": r.probability, "low": r.low, "high": r.high,
             "source": r.source} for r in scale.rows.values()]
    out(render_rows(rows, fmt, widths={"source": 70}))


@scales.command(epilog="""\b
Examples:
  ledger scales explain "a high probability Xi takes the call"
  ledger scales explain "not likely" --scale icd203 -f json
""")
@click.argument("text")
@click.option("--scale", "only", help="Read under this scale only (default: every built-in scale).")
@format_option()
def explain(text: str, only: str | None, fmt: str) -> None:
    """Show how TEXT is read under every scale, side by side."""
    from ledger.errors import UnknownProbability
    from ledger.language.probability import parse_probability
    from ledger.language.scales import BUILTIN_SCALES
    from ledger.render import render_rows

    rows = []
    for name in [only] if only else BUILTIN_SCALES:
        try:
            reading = parse_probability(text, name)
        except UnknownProbability as exc:
            if only:
                raise
            rows.append({"scale": name, "matched": None, "phrase": None, "probability": None,
                         "low": None, "high": None, "notes": str(exc)})
            continue
        notes = [n for n, on in (("negated", reading.negated), ("weak: possibility word", reading.weak),
                                 ("not in this scale: default used", reading.scale_fallback)) if on]
        rows.append({"scale": name if reading.kind == "phrase" else "(number)",
                     "matched": reading.matched, "phrase": reading.phrase,
                     "probability": reading.value, "low": reading.low, "high": reading.high,
                     "notes": "; ".join(notes)})
        if reading.kind == "number":
            break
    out(render_rows(rows, fmt))


@click.command("parse-deadline", epilog="""\b
Examples:
  ledger parse-deadline "likely to talk this week" --on 2025-06-02
  ledger parse-deadline "within 90 days" --on 2025-06-02 -f json
""")
@click.argument("words")
@click.option("--on", "on", type=DATE, help="The day the words were said (default: today).")
@format_option()
@pass_state
def parse_deadline_command(state: Any, words: str, on: Any, fmt: str) -> None:
    """Preview how deadline WORDS are read, without logging anything."""
    from ledger.language.timeframe import parse_deadline
    from ledger.render import render_record

    reading = parse_deadline(words, on or state.effective_today)
    record = {"phrase": reading.phrase, "deadline": reading.date, "start": reading.start,
              "kind": reading.kind, "rule": reading.rule, "ambiguous": reading.ambiguous,
              "alternatives": list(reading.alternatives), "note": reading.note or None}
    if fmt == "table":
        out(reading.describe())
        if reading.ambiguous:
            note(f"warning: ambiguous; other reading(s): {', '.join(map(str, reading.alternatives))}")
        if reading.note:
            note(f"note: {reading.note}")
        return
    out(render_record(record, fmt))
