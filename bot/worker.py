"""What runs first in a worker process (the core's, the public page's).

This module imports nothing heavy, so a worker watches for its server's death from its first
moment, before it spends seconds importing and building what it serves; then it builds that,
by name. A worker whose server was killed (no clean shutdown) exits within a second, even if
the server died while the worker was still starting.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

_built: Any = None  # what this worker serves, built by `start`


def name_of(factory: Callable[..., Any]) -> str:
    """How a worker finds a module-level factory: "package.module:function"."""
    return f"{factory.__module__}:{factory.__qualname__}"


def start(parent: int, factory: str, args: tuple[Any, ...]) -> None:
    """A pool's initializer: watch the server (`parent`, the pid it gave: read here, it could
    already be the adopting process's), then build `factory(*args)`."""
    global _built
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    module, _, name = factory.partition(":")
    _built = getattr(importlib.import_module(module), name)(*args)


def call(method: str, *args: Any) -> Any:
    """Run `method` of what this worker built."""
    assert _built is not None, "worker started without what it serves"
    return getattr(_built, method)(*args)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
