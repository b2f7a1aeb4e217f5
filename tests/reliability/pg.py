"""A throwaway PostgreSQL server this suite controls (initdb, pg_ctl start and stop), so it can
take the database away and bring it back. Used when the run tests PostgreSQL (as .ci/run does,
by setting ENGAGEBOT_TEST_POSTGRES) or in the long form, on a machine with the server binaries."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.profile import LONG


def binaries() -> Path | None:
    """The newest PostgreSQL's bin directory, if the machine has one."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parent)
    return found[-1].parent if found else None


def wanted() -> bool:
    return bool(os.environ.get("ENGAGEBOT_TEST_POSTGRES") or LONG) and binaries() is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    bin: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        line = " ".join([str(self.bin / command[0]), *command[1:]])
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            subprocess.run(["su", "postgres", "-c", line], check=True, capture_output=True)
        else:
            subprocess.run(line, shell=True, check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-l",
            f"{self.data}/log",
            "-o",
            f"'{options}'",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")


@contextmanager
def server() -> Iterator[Server]:
    """A fresh server on a free port, stopped and deleted afterwards."""
    bin_dir = binaries()
    assert bin_dir is not None
    data = Path(tempfile.mkdtemp(prefix="engagebot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    pg = Server(bin_dir, data, _free_port())
    pg._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    pg.start()
    try:
        yield pg
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped
            pg.stop()
        shutil.rmtree(data, ignore_errors=True)
