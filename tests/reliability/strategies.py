"""Hypothesis strategies for what people type: date phrases, replies to reminders, sheet cells.

Random text alone rarely reaches a parser's deeper branches, so most strategies mix the words
the parsers know (handlers/language/vocabulary.py) with numbers, punctuation and any unicode.
"""

from __future__ import annotations

from hypothesis import strategies as st

from handlers.language import vocabulary as words

_KNOWN = sorted(
    {
        *words.MONTHS,
        *words.WEEKDAYS,
        *words.SEASONS,
        *words.FEASTS,
        *words.QUARTER_WORDS,
        *words.FINANCIAL_YEAR_WORDS,
        *words.MODIFIERS,
        *words.NUMBER_WORDS,
        *words.TIME_UNITS,
        *words.RELATIVE_WORDS,
        *words.WEEKDAY_LEADS,
        *words.TARGET_NOUNS,
        *words.APPROXIMATE_WORDS,
        "by",
        "until",
        "to",
        "from",
        "and",
        "or",
        "in",
        "of",
        "the",
        "week",
        "annually",
        "quarterly",
        "monthly",
        "ongoing",
        "tbc",
        "n/a",
        "revised",
        "date",
        "done",
        "complete",
        "completed",
        "delayed",
        "partially",
        "not started",
        "withdrawn",
        "on track",
        "will finish",
        "lent",
        "half term",
    }
)
_STATUS_WORDS = sorted(
    {
        "done",
        "finished",
        "complete",
        "delayed",
        "slipped",
        "on hold",
        "withdrawn",
        "no longer needed",
        "partially complete",
        "in progress",
        "started",
        "not started",
        "won't make it",
        "missed the deadline",
        "on track",
    }
)
_SEPARATORS = st.sampled_from([" ", " ", " ", "/", "-", "–", ".", ",", ", ", "; ", "\n", "  "])


def _number() -> st.SearchStrategy[str]:
    plain = st.integers(min_value=-3, max_value=3000).map(str)
    ordinal = st.builds(
        lambda n, s: f"{n}{s}",
        st.integers(min_value=0, max_value=40),
        st.sampled_from(words.ORDINAL_SUFFIXES),
    )
    year_pair = st.builds(
        lambda y, t: f"{y}/{t:02d}",
        st.integers(min_value=1990, max_value=2100),
        st.integers(min_value=0, max_value=99),
    )
    numeric_date = st.builds(
        lambda d, m, y: f"{d}/{m}/{y}",
        st.integers(min_value=0, max_value=40),
        st.integers(min_value=0, max_value=14),
        st.integers(min_value=0, max_value=10000),
    )
    return st.one_of(plain, ordinal, year_pair, numeric_date)


def token() -> st.SearchStrategy[str]:
    """One word a person might put in a date or a progress reply."""
    known = st.sampled_from(_KNOWN)
    cased = known.flatmap(lambda w: st.sampled_from([w, w.title(), w.upper()]))
    odd = st.text(min_size=1, max_size=8)
    return st.one_of(cased, cased, _number(), _number(), odd)


def phrase(max_tokens: int = 8) -> st.SearchStrategy[str]:
    """Words joined as people write them, or any text at all."""
    joined = st.lists(st.tuples(token(), _SEPARATORS), min_size=1, max_size=max_tokens).map(
        lambda parts: "".join(w + s for w, s in parts).strip(" ")
    )
    return st.one_of(joined, joined, joined, st.text(max_size=60))


def reply_text(refs: list[str]) -> st.SearchStrategy[str]:
    """A reply to a reminder: perhaps a reference, perhaps a status, perhaps a date, any words."""
    ref = st.sampled_from(refs or ["R1"]).flatmap(
        lambda r: st.sampled_from([f"{r}: ", f"{r} ", f"{r.lower()} - ", ""])
    )
    status = st.sampled_from(_STATUS_WORDS).map(lambda w: w + " ")
    parts = st.lists(st.one_of(ref, status, phrase(6), st.text(max_size=40)), max_size=6)
    return parts.map(" ".join)
