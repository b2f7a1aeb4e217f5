"""The reliability suite: hypothesis profile and fixtures (its table is printed by
tests/conftest.py, which pytest-xdist's controller loads too)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from models.db import make_engine
from tests.conftest import LONDON, NOW
from tests.reliability.logged import Errors, errors_logged
from tests.reliability.profile import PROFILE

settings.load_profile(PROFILE)


@pytest.fixture(scope="module")
def module_ctx(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """A fresh database for a whole module's tests (a server started once, many requests)."""
    path = tmp_path_factory.mktemp("module") / "engagebot.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    yield AppContext(engine=engine, clock=FixedClock(NOW), tz=LONDON)
    engine.dispose()


@pytest.fixture(scope="module")
def error_log() -> Iterator[Errors]:
    """Every record logged at ERROR or above while the module runs."""
    with errors_logged() as errors:
        yield errors
