"""How well "Should I consult?" advises on situations written blind: each batch in
tests/fixtures/consult_situations_*.yaml walked through the console chat and scored point by
point, as tests/consult_situations.py describes.

For each batch it prints the first score (taken before any change for that batch, kept below)
and the score now: per point, met/counted (a point the writer left nothing to check for is not
counted), and "all": situations meeting every point. A situation whose expectation we dispute
by the law's own text (its `disputed:` line in the fixture gives the source) is counted apart.

Run: python bench/bench_consult_situations.py [--list]   (--list shows each situation's misses)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.consult_situations import (  # noqa: E402
    HEADER,
    POINTS,
    batches,
    line,
    load,
    play_in_memory,
    tally,
)

# The first score of each batch, before the product was changed for it (see git history).
FIRST = {
    "dev": {
        "process": (27, 60),
        "level": (27, 60),
        "law": (5, 46),
        "consultees": (11, 54),
        "timing": (5, 35),
        "not_here": (49, 60),
        "all": (5, 60),
    },
    # scored before any change for it, with the catalogue built on the dev half
    "held": {
        "process": (42, 60),
        "level": (41, 60),
        "law": (28, 46),
        "consultees": (33, 55),
        "timing": (19, 28),
        "not_here": (60, 60),
        "all": (19, 60),
    },
}


def main(argv: Sequence[str]) -> None:
    print(HEADER)
    for batch in batches():
        situations = load(batch)
        started = time.perf_counter()
        every = play_in_memory(situations)
        seconds = time.perf_counter() - started
        # a situation whose expectation we dispute by the law's text is counted apart
        scores = [sc for sc in every if not sc.situation.disputed]
        disputed = [sc for sc in every if sc.situation.disputed]
        first = FIRST.get(batch)
        print(line(f"{batch} first", first) if first else f"{batch} first   (not recorded yet)")
        print(line(f"{batch} now", tally(scores)) + f"   ({seconds:.0f} s)")
        if disputed:
            print(line(f"{batch} disp.", tally(disputed)) + "   (expectations disputed)")
        else:
            print(f"{batch} disputed: none")
        if "--list" in argv:
            for sc in every:
                missed = [p for p in POINTS if sc.points[p] is False]
                if missed:
                    s = sc.situation
                    mark = " (disputed)" if s.disputed else ""
                    said = f"{s.id:<5} {s.nation:<17} {', '.join(missed):<40}"
                    print(f"   {said} {s.title[:50]}{mark}")


if __name__ == "__main__":
    main(sys.argv[1:])
