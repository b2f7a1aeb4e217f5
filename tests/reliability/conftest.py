"""The reliability suite: hypothesis profile, and the table printed at the end of the run."""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests.reliability.profile import LONG, PROFILE
from tests.reliability.tally import TALLY

settings.load_profile(PROFILE)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    table = TALLY.table()
    if not table or not TALLY.printed_by_pytest:
        return
    form = "long" if LONG else "short"
    terminalreporter.write_sep("=", f"reliability ({form} form): tried, failed, lost, duplicated")
    terminalreporter.write_line(table)
