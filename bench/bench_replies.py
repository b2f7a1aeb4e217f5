"""Time parse_reply against reply length: an officer's words, the same date word over and over
(the 40-second reply of issue 12), and a soup of date words.

Target: a 36,000-character reply in well under a second; chat messages are capped at
6,000 characters anyway (bot/conversation.py). Run: python bench/bench_replies.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.language import targets  # noqa: E402
from handlers.language.replies import Candidate, parse_reply  # noqa: E402

TODAY = date(2026, 11, 23)
LENGTHS = (1_000, 4_000, 16_000, 36_000)
ROUNDS = 3
CANDIDATES = [
    Candidate("R1", "Produce a Community Engagement Strategy"),
    Candidate("R4", "Set up a consultation register"),
    Candidate("R7", "Publish a guide to engagement for staff"),
]
SENTENCES = [
    "R1 done, R4 new date end of March.",
    "We met the steering group on 3 November and the second workshop is booked for 8 December",
    "but the register is not complete yet;",
    "the guide has been drafted and should be finished by Easter.",
    "Revised to 31/03/2027 because legal have not signed off the data sharing.",
    "Consultation with residents starts in January, drop-ins at the library every Friday.",
]
SOUP = "the week next one march friday in by done not met meeting 2027 end of a fortnight"


def officer(rng: random.Random) -> str:
    return rng.choice(SENTENCES)


def same_word(rng: random.Random) -> str:
    return "March"


def soup(rng: random.Random) -> str:
    return rng.choice(SOUP.split())


def reply_of(length: int, piece: Callable[[random.Random], str]) -> str:
    rng = random.Random(length)
    parts: list[str] = []
    size = 0
    while size < length:
        parts.append(piece(rng))
        size += len(parts[-1]) + 1
    return " ".join(parts)[:length]


def cold_parse_ms(text: str) -> float:
    """One parse with every date cache cleared, as for a reply never seen before."""
    targets.parse_date_answer.cache_clear()
    targets.parse_target.cache_clear()
    targets._dateparser_day.cache_clear()
    started = time.perf_counter()
    parse_reply(text, CANDIDATES, today=TODAY)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parse_reply("R1 done, next Friday", CANDIDATES, today=TODAY)  # imports, regexes, dateparser
    kinds = {"officer's words": officer, '"March March …"': same_word, "date-word soup": soup}
    print(f"{'reply':<18}" + "".join(f"{n:>10,} ch" for n in LENGTHS) + "   (ms, median of 3)")
    worst = 0.0
    for name, piece in kinds.items():
        cells = []
        for length in LENGTHS:
            text = reply_of(length, piece)
            ms = statistics.median(cold_parse_ms(text) for _ in range(ROUNDS))
            cells.append(ms)
            if piece is officer and length == LENGTHS[-1]:
                worst = ms
        print(f"{name:<18}" + "".join(f"{ms:>13,.1f}" for ms in cells))
    verdict = "OK" if worst < 1000 else "MISSED"
    print(f"\nofficer's words, 36,000 characters: {worst:,.0f} ms; target < 1 s: {verdict}")


if __name__ == "__main__":
    main()
