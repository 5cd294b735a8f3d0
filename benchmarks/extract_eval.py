"""Measure `ledger extract` against labelled articles.

    python benchmarks/extract_eval.py [LABELS.json] [--show]

Default labels: ../shared/eval/dev/labels.json (next to this checkout). Reports
precision and recall of the forecasts found, and, for those found, the share with the
right speaker, the right probability band (ICD 203) and the right deadline; then
throughput in articles per second on plain text. A candidate matches a label when their
sentences are the same (normalised) and, where a sentence holds several forecasts, the
quotes overlap most.
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import date
from pathlib import Path

from ledger.language.extract import extract

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "eval" / "dev" / "labels.json"
BANDS = [("almost no chance", 0.0, 0.05), ("very unlikely", 0.05, 0.20), ("unlikely", 0.20, 0.45),
         ("roughly even", 0.45, 0.55), ("likely", 0.55, 0.80), ("very likely", 0.80, 0.95),
         ("almost certain", 0.95, 1.0)]


def band(p: float | None) -> str | None:
    if p is None:
        return None
    for name, low, high in BANDS:
        if low <= p < high or (name == "almost certain" and p >= 0.95):
            return name
    return None


def norm(text: str) -> str:
    text = re.sub(r"[\"“”‘’']", "", text.lower())
    return " ".join(re.findall(r"\w+", text))


def overlap(a: str, b: str) -> float:
    x, y = set(norm(a).split()), set(norm(b).split())
    return len(x & y) / max(1, len(x | y))


def same_speaker(label: dict, candidate: dict) -> bool:
    if label["source_kind"] == "author":
        return candidate["source_kind"] == "outlet"
    a, b = norm(label["source"]), norm(candidate["source"])
    if not a or not b:
        return False
    return a in b or b in a or a.split()[-1] == b.split()[-1] or bool(set(a.split()) & set(b.split()) - {"the", "of"})


def evaluate(labels_path: Path, show: bool = False) -> dict:
    articles = json.loads(labels_path.read_text())
    base = labels_path.parent / "articles"
    totals = {"labels": 0, "candidates": 0, "matched": 0, "speaker": 0, "band": 0, "deadline": 0}
    elapsed, count = 0.0, 0
    for article in articles:
        text = (base / f"{article['id']}.txt").read_text()
        published = date.fromisoformat(article["published"])
        start = time.perf_counter()
        found = [c.as_dict() for c in extract(text, published, outlet=article.get("outlet") or "the outlet")]
        elapsed += time.perf_counter() - start
        count += 1
        labels = article["forecasts"]
        totals["labels"] += len(labels)
        totals["candidates"] += len(found)
        used: set[int] = set()
        for label in labels:
            options = [(overlap(label["quote"], c["quote"]), i) for i, c in enumerate(found)
                       if i not in used and norm(c["sentence"]) == norm(label["sentence"])]
            if not options:
                if show:
                    print(f"MISSED {article['id']}: {label['quote']!r} ({label['source']})")
                continue
            _, index = max(options)
            used.add(index)
            candidate = found[index]
            totals["matched"] += 1
            right = (same_speaker(label, candidate), band(candidate["probability"]) == label["band"],
                     candidate["deadline"] == label["deadline"])
            totals["speaker"] += right[0]
            totals["band"] += right[1]
            totals["deadline"] += right[2]
            if show and not all(right):
                print(f"WRONG  {article['id']}: {label['quote']!r}: speaker {candidate['source']!r} vs "
                      f"{label['source']!r}; band {band(candidate['probability'])} vs {label['band']}; deadline "
                      f"{candidate['deadline']} vs {label['deadline']}")
        if show:
            for i, candidate in enumerate(found):
                if i not in used:
                    print(f"EXTRA  {article['id']}: {candidate['quote']!r} ({candidate['source']}; {candidate['reason']})")
    matched = max(totals["matched"], 1)
    return {
        "articles": count, "labels": totals["labels"], "candidates": totals["candidates"],
        "precision": totals["matched"] / max(totals["candidates"], 1),
        "recall": totals["matched"] / max(totals["labels"], 1),
        "speaker_accuracy": totals["speaker"] / matched, "band_accuracy": totals["band"] / matched,
        "deadline_accuracy": totals["deadline"] / matched,
        "articles_per_second": count / elapsed if elapsed else None,
    }


def throughput(labels_path: Path, seconds: float = 3.0) -> float:
    articles = json.loads(labels_path.read_text())
    texts = [((labels_path.parent / "articles" / f"{a['id']}.txt").read_text(), date.fromisoformat(a["published"]))
             for a in articles]
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text, published in texts:
            extract(text, published)
            done += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        sys.exit(f"no labels at {path}")
    result = evaluate(path, show="--show" in sys.argv)
    result["articles_per_second"] = throughput(path)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
