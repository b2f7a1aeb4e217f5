"""Time `engagebot --help` from a cold process, next to a bare `python -c pass`.

Target: under 0.3 s. Run: python bench/bench_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(command: list[str]) -> float:
    timed(command)  # warm the OS file cache, as a second use of the command would
    return statistics.median(timed(command) for _ in range(RUNS))


def main() -> None:
    bare = median_of([sys.executable, "-c", "pass"])
    cli = median_of([sys.executable, "-m", "bot", "--help"])
    print(f"python -c pass:        median {bare * 1000:.0f} ms over {RUNS} runs")
    print(f"engagebot --help:      median {cli * 1000:.0f} ms over {RUNS} runs   [target < 300 ms]")
    print(f"engagebot's own share: {max(cli - bare, 0) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
