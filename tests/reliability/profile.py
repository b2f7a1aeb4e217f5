"""Short (CI) or long (on demand) form of the reliability suite, and its hypothesis profiles.

`ENGAGEBOT_RELIABILITY=long` (bench/reliability.py sets it) runs thousands of fuzzing examples,
more load and more fault rounds; anything else runs the short form CI runs on every push, with
a fixed derandomised seed so CI is deterministic.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("ENGAGEBOT_RELIABILITY", "short").lower() == "long"

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

settings.register_profile(
    "reliability-short",
    max_examples=60,
    derandomize=True,  # the same examples on every run: CI is deterministic
    database=None,  # nothing stored: no .hypothesis/ directory
    deadline=None,  # speed is measured by bench/, never by a timed test
    suppress_health_check=_QUIET,
    print_blob=True,
)
settings.register_profile(
    "reliability-long",
    max_examples=3000,
    derandomize=False,  # new examples on every long run; failures kept in .hypothesis/ (ignored)
    deadline=None,
    suppress_health_check=_QUIET,
    print_blob=True,
)
PROFILE = "reliability-long" if LONG else "reliability-short"


def scale(short: int, long: int) -> int:
    """How many of something to try: `short` in CI, `long` on demand."""
    return long if LONG else short


def examples(short: int, long: int) -> settings:
    """Hypothesis settings for a test whose examples cost more than most: `short` examples in
    CI, `long` in the long form."""
    return settings(settings.get_profile(PROFILE), max_examples=scale(short, long))
