"""How well officers' replies to reminders are read: the corpus in
tests/fixtures/reply_corpus.yaml, scored as tests/reply_corpus.py describes.

Prints, for the whole corpus and for each batch of it (rows written at different times: the
later batches were written before the reader was changed for them): how many replies were
read correctly (status and revised date both right), how many the bot asked about (status
buttons, a date question, or "which action?"), and how many it would have confirmed wrongly.
Target: at least 97% read correctly and none wrong with confidence.

Run: python bench/bench_reply_corpus.py [--list]   (--list names every reply not read)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reply_corpus import Row, Verdict, load, tally  # noqa: E402


def line(name: str, rows: Sequence[Row]) -> str:
    counts = {verdict: len(found) for verdict, found in tally(rows).items()}
    total = len(rows)
    read = counts[Verdict.READ]
    return (
        f"{name:<22}{total:>6}{read:>7}{100 * read / total:>9.1f}%"
        f"{counts[Verdict.ASKED]:>8}{counts[Verdict.WRONG]:>8}"
    )


def main(argv: Sequence[str]) -> None:
    rows = load()
    started = time.perf_counter()
    results = tally(rows)
    ms = (time.perf_counter() - started) * 1000
    print(f"{'replies':<22}{'rows':>6}{'read':>7}{'accuracy':>10}{'asked':>8}{'wrong':>8}")
    print(line("whole corpus", rows))
    for batch in sorted({row.batch for row in rows}):
        print(line(f"  batch {batch}", [row for row in rows if row.batch == batch]))
    read = len(results[Verdict.READ]) / len(rows)
    wrong = len(results[Verdict.WRONG])
    verdict = "OK" if read >= 0.97 and wrong == 0 else "MISSED"
    print(f"\n{len(rows)} replies read in {ms:,.0f} ms; target >= 97% read, 0 wrong: {verdict}")
    if "--list" in argv:
        for kind in (Verdict.WRONG, Verdict.ASKED):
            for row, score in results[kind]:
                print(f"{kind.value:>6} {row.number:03d} [{score.why}] {row.reply[:90]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
