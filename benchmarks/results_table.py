"""Print a benchmark results file as a markdown table (for docs/performance.md).

    python benchmarks/results_table.py docs/benchmark-results.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    data = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/benchmark-results.json").read_text())
    print("| benchmark | seconds | peak MiB | baseline | baseline s | ratio | rate | target |")
    print("|---|---|---|---|---|---|---|---|")
    for row in data["results"]:
        rate = next((f"{v:,} {k.replace('_', ' ')}" for k, v in row.items() if k.endswith("per_second")), "")
        if not rate and row.get("per_row_us"):
            rate = f"{row['per_row_us']} µs/row"
        cells = [row["benchmark"], f"{row['seconds']:.3f}", row.get("peak_mib") or "", row.get("baseline") or "",
                 row.get("baseline_seconds") or "", f"×{row['ratio']}" if row.get("ratio") else "", rate,
                 row.get("target") or ""]
        print("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")


if __name__ == "__main__":
    main()
