"""The reliability suite in its long form: thousands of fuzzing examples, more load, more fault
rounds (tests/reliability, which CI runs in its short form). Prints one table: per category,
what was tried, failed, lost and duplicated.

Run: python bench/reliability.py           (long form; about 15 minutes on two cores)
     python bench/reliability.py --short   (the form CI runs)
Any other arguments go to pytest, e.g. -k fuzz, or -x to stop at the first failure.
PostgreSQL's stop/start round runs when the machine has PostgreSQL's binaries.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    short = "--short" in argv
    args = [a for a in argv if a != "--short"]
    os.environ["ENGAGEBOT_RELIABILITY"] = "short" if short else "long"  # read at collection
    os.chdir(ROOT)

    import pytest

    from tests.reliability.tally import TALLY

    TALLY.printed_by_pytest = False  # printed once, below, with the run's figures
    started = time.monotonic()
    code = pytest.main(["tests/reliability", "-p", "no:cacheprovider", "-q", "-rfExX", *args])
    minutes = (time.monotonic() - started) / 60
    form = "short" if short else "long"
    print(f"\nReliability suite, {form} form, {minutes:.1f} minutes (pytest exit code {code}):\n")
    print(TALLY.table())
    print(
        "\ntried: examples, turns, requests or messages attempted; failed: of those, an "
        "exception, a wrong status (5xx), no answer, or a delivery run that fell over; lost: "
        "a message, reminder or note that never arrived or was never stored; dup: arrived or "
        "stored more than once (notes column: allowances and known items)."
    )
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
