"""Time parse_target on target-date cells as councils write them, with the cache cleared.

Target: median under 1 ms per phrase. Run: python bench/bench_targets.py
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.language.targets import parse_target  # noqa: E402

TODAY = date(2026, 11, 23)
PLAN_START = date(2020, 4, 1)
ROUNDS = 200
DATEPARSER_PHRASE = "march the 31st 2027"  # beyond the regexes: goes to dateparser

PHRASES = [
    "31st March 2019",
    "30th September 2019",
    "30th November 2019",
    "Continuous",
    "April 2013",
    "April 2012",
    "Annually in April",
    "December 2011",
    "December 2013",
    "December 2012",
    "On going",
    "December 2014",
    "Annually",
    "01 July – 30 August 2020",
    "01 July - 30 September 2020",
    "01 October – 31 March 2021",
    "Year 1",
    "Quarterly, starting in May 2010",
    "Autumn 2021",
    "June 2020 and October 2020",
    "End of April/early May 2013",
    "March / April / May 2020",
    "31 st March 2020",
    "31 Mar 2020",
    "31/03/2027",
    "3/4/27",
    "03.04.2027",
    "2027-03-31",
    "March 31, 2027",
    "Tuesday 31 March 2026",
    "31-Mar-2027",
    "31 March",
    "31/02/2027",
    "Feb 2028",
    "April",
    "by March",
    "end of March 2027",
    "by the end of March",
    "mid-March 2027",
    "early May 2027",
    "early 2027",
    "mid 2027",
    "late 2027",
    "end of 2027",
    "2015",
    "by 2015",
    "Q1 2027",
    "Q3 2026/27",
    "quarter 2 2027",
    "Spring 2027",
    "Summer 2027",
    "Winter 2026",
    "by Christmas",
    "Easter 2027",
    "2026/27",
    "2026-27",
    "FY 2026/27",
    "financial year 2026/2027",
    "by end of 2026/27",
    "Target: 31/03/2027",
    "no later than 31 March 2027",
    "July-September 2020",
    "2026-2028",
    "1-10 May 2027",
    "Every April",
    "Annually - April",
    "Quarterly",
    "Monthly",
    "Weekly",
    "Bi-annually",
    "Ongoing",
    "Business as usual",
    "As and when",
    "June, July and August 2027",
    "31/03/2027; 30/06/2027",
    "",
    "n/a",
    "TBC",
    "when funding allows",
    "asdf",
    "soon",
    "tomorrowish",
]


def time_phrase(text: str) -> list[float]:
    """ROUNDS timings of one uncached parse, in milliseconds."""
    timings = []
    for _ in range(ROUNDS):
        parse_target.cache_clear()
        started = time.perf_counter_ns()
        parse_target(text, today=TODAY, plan_start=PLAN_START)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    started = time.perf_counter_ns()
    parse_target(DATEPARSER_PHRASE, today=TODAY)
    cold_ms = (time.perf_counter_ns() - started) / 1e6
    for text in PHRASES:  # warm up: regexes compiled, code paths touched
        parse_target(text, today=TODAY, plan_start=PLAN_START)

    print(f"{'phrase':<36} {'median':>8} {'p95':>8} {'max':>8}  (ms, {ROUNDS} uncached runs)")
    medians = []
    for text in PHRASES:
        timings = time_phrase(text)
        medians.append(statistics.median(timings))
        print(f"{text!r:<36} {medians[-1]:8.4f} {p95(timings):8.4f} {max(timings):8.4f}")

    worst = max(medians)
    warm_dp = statistics.median(time_phrase(DATEPARSER_PHRASE))
    print()
    print(f"phrases: {len(PHRASES)}; median of medians {statistics.median(medians):.4f} ms")
    print(
        f"slowest median {worst:.4f} ms; target: median < 1 ms: {'OK' if worst < 1 else 'MISSED'}"
    )
    print(f"dateparser path {DATEPARSER_PHRASE!r}: cold {cold_ms:.1f} ms, warm {warm_dp:.2f} ms")


if __name__ == "__main__":
    main()
