"""Every turn flat as a council grows: the code before and after, side by side, in one run.

For 1,000, 10,000 and 100,000 actions in one council (and ten councils of 10,000): CPU per
chat turn (help, my actions, overdue, summary) and statements per turn; `engagebot export`;
replies per second sustained through the core's worker processes on SQLite and PostgreSQL
with 2 and 4 workers; the Slack acknowledgement p99 idle and while residents load the public
list (5,000 published activities); the server's memory. Each figure is measured for the code
before the change (a git worktree of BEFORE, 13a12a8 by default) and for this checkout.

CPU figures are process CPU time (the machine is shared: wall time is noise); replies per
second and acknowledgement latencies are wall time by nature, printed with the load average.

Run:  python bench/bench_scale.py                  (everything: about an hour on two cores)
      python bench/bench_scale.py --sizes 1000,10000 --skip replies,ack,postgres
Targets: "my actions" at 100k within 2x of its 1k cost; export at 100k under 2 minutes;
25 replies/s at 10k on SQLite with 2 workers; ack p99 under 2x idle while the page is loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHILD = ROOT / "bench" / "scale_child.py"
BEFORE = "13a12a8"
PUBLISHED = 5000
SECRET = "bench-signing-secret"
ACKS = 1200  # slash commands per phase, 4 clients each pausing 20 ms between requests
NOW = "2026-11-23T10:00:00+00:00"


class Version:
    """One checkout of the code, and the databases built with it."""

    def __init__(self, name: str, root: Path, work: Path) -> None:
        self.name, self.root, self.work = name, root, work / name
        self.work.mkdir(parents=True, exist_ok=True)
        self.built: dict[tuple[int, int], tuple[str, list[dict[str, Any]]]] = {}

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
        return {**env, "PYTHONPATH": str(self.root), "ENGAGEBOT_LOG_LEVEL": "WARNING", **extra}

    def child(self, *args: str, timeout: float = 3600) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, str(CHILD), *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.name} {args[0]} failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def database(self, actions: int, councils: int, pg: str = "") -> tuple[str, list[Any]]:
        key = (actions, councils) if not pg else (actions, -councils)
        if key not in self.built:
            url = _pg_database(pg, f"{self.name}_{actions}_{councils}") if pg else (
                f"sqlite:///{self.work / f'{actions}x{councils}.db'}"
            )  # fmt: skip
            made = self.child("build", url, str(actions), str(councils), str(PUBLISHED))
            print(f"  built {self.name} {councils}x{actions:,} in {made['seconds']:.0f} s")
            self.built[key] = (url, made["councils"])
        return self.built[key]


def _pg_database(server: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        db.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


# -- the figures ------------------------------------------------------------------------------


def turns_and_export(versions: list[Version], sizes: list[int], councils: int, cap: float) -> None:
    print("\nCPU per turn (ms, median) and statements per turn; export (CPU s)")
    shapes = [(n, 1) for n in sizes] + ([(10_000, councils)] if councils > 1 else [])
    rows = []
    for actions, count in shapes:
        label = f"{actions // 1000}k" if count == 1 else f"{count}x{actions // 1000}k"
        figures: dict[str, dict[str, Any]] = {}
        for version in versions:
            url, made = version.database(actions, count)
            council = made[len(made) // 2]  # among ten, one in the middle
            try:
                figures[version.name] = version.child("turns", url, json.dumps(council))
            except subprocess.TimeoutExpired:
                figures[version.name] = {}
            try:
                figures[version.name]["export"] = version.child(
                    "export", url, council["slug"], timeout=cap
                )
            except subprocess.TimeoutExpired:
                figures[version.name]["export"] = {"cpu_s": None}
        rows.append((label, figures))
        _print_turns(label, figures, versions)
    _targets(rows, versions)


def _print_turns(label: str, figures: dict[str, Any], versions: list[Version]) -> None:
    names = [v.name for v in versions]
    for text in ("help", "my actions", "overdue", "summary plan-0"):
        cells = []
        for name in names:
            got = figures[name].get(text)
            cells.append(f"{got['cpu_ms']:9.1f} ms {got['statements']:7.0f} st" if got else "-")
        print(
            f"  {label:>7} {text:<15} "
            + "   ".join(f"{n}: {c}" for n, c in zip(names, cells, strict=True))
        )
    cells = []
    for name in names:
        cpu = figures[name]["export"].get("cpu_s")
        cells.append(f"{cpu:9.1f} s CPU" if cpu is not None else "  stopped at the cap")
    print(
        f"  {label:>7} {'export':<15} "
        + "   ".join(f"{n}: {c}" for n, c in zip(names, cells, strict=True))
    )


def _targets(rows: list[tuple[str, dict[str, Any]]], versions: list[Version]) -> None:
    by = dict(rows)
    if "1k" in by and "100k" in by:
        for v in versions:
            small = by["1k"][v.name].get("my actions", {}).get("cpu_ms")
            big = by["100k"][v.name].get("my actions", {}).get("cpu_ms")
            if small and big:
                print(f"  target: my actions at 100k / 1k = {big / small:.1f}x ({v.name}; < 2x)")
    if "100k" in by:
        for v in versions:
            cpu = by["100k"][v.name]["export"].get("cpu_s")
            shown = f"{cpu:.0f} s CPU" if cpu is not None else "over the cap"
            print(f"  target: export at 100k {shown} ({v.name}; < 120 s)")


def replies(versions: list[Version], pg: str, seconds: float) -> None:
    print(f"\nReplies per second sustained at 10k, 16 officers at a time, {seconds:.0f} s (wall)")
    for database in ("sqlite", "postgresql") if pg else ("sqlite",):
        for workers in (2, 4):
            cells = []
            for version in versions:
                url, made = version.database(10_000, 1, pg if database == "postgresql" else "")
                got = version.child("replies", url, str(workers), str(seconds),
                                    json.dumps(made[0]))  # fmt: skip
                cells.append(
                    f"{version.name}: {got['per_second']:6.1f}/s ({got['failed']} failed, "
                    f"load {got['load']:.1f})"
                )
            print(f"  {database:<10} {workers} workers   " + "   ".join(cells))
    print("  target: 25 replies/s at 10k on SQLite with 2 workers")


def acks(versions: list[Version]) -> None:
    print("\nSlack ack latency (ms, wall) idle and while 2 residents load the public list "
          f"({PUBLISHED:,} activities); memory (RSS)")  # fmt: skip
    from tests.fakes.slack_api import FakeSlack

    for version in versions:
        url, made = version.database(10_000, 1)
        with FakeSlack() as slack:
            got = _ack_run(version, url, made[0], slack)
        print(
            f"  {version.name:<6} idle p50 {got['idle'][0]:6.1f} p99 {got['idle'][1]:6.1f}   "
            f"loaded p50 {got['loaded'][0]:6.1f} p99 {got['loaded'][1]:6.1f} "
            f"({got['pages']:.1f} pages/s served, {got['ratio']:.1f}x idle p99)   "
            f"RSS idle {got['rss_idle']:.0f} MB, after {got['rss_after']:.0f} MB "
            f"({got['rss_detail']})"
        )
    print("  target: loaded p99 under 2x idle p99")


def _ack_run(version: Version, url: str, council: dict[str, Any], slack: Any) -> dict[str, Any]:
    import httpx

    port = _free_port()
    env = version.env(
        DATABASE_URL=url,
        ENGAGEBOT_NOW=NOW,
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        ENGAGEBOT_WORKERS="2",
    )
    command = [sys.executable, "-m", "bot", "serve", "slack", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, cwd=version.work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, server)
        httpx.get(f"{base}/engage/", timeout=120)
        time.sleep(2)
        rss_idle, _ = _rss(server.pid)
        idle = _acks(base, council, slack.response_url(), ACKS)
        # The residents in processes of their own, so their downloads never hold up this
        # process's clients (the GIL): only the server is shared.
        residents = [
            subprocess.Popen(
                [sys.executable, "-c", RESIDENT, f"{base}/engage/"],
                stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for _ in range(2)
        ]
        time.sleep(1)
        started = time.monotonic()
        loaded = _acks(base, council, slack.response_url(), ACKS)
        spent = time.monotonic() - started
        for resident in residents:
            resident.terminate()
        pages = [sum(int(r.communicate()[0] or 0) for r in residents)]
        rss_after, detail = _rss(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "idle": idle,
        "loaded": loaded,
        "ratio": loaded[1] / idle[1],
        "pages": pages[0] / spent,
        "rss_idle": rss_idle,
        "rss_after": rss_after,
        "rss_detail": detail,
    }


RESIDENT = """
import signal, sys, httpx
pages = 0
def stop(*_):
    print(pages)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
with httpx.Client(timeout=300) as http:
    while True:
        pages += http.get(sys.argv[1]).status_code == 200
"""


def _acks(base: str, council: dict[str, Any], response_url: str, count: int) -> tuple[float, float]:
    """`count` signed /engage commands from 4 clients; p50 and p99 of the acknowledgements."""
    import hashlib
    import hmac

    import httpx

    latencies: list[float] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        with httpx.Client(timeout=30) as http:
            for i in range(count // 4):
                body = urlencode({
                    "team_id": council["team"], "channel_id": "C0STEERING",
                    "user_id": council["officer_slack"], "command": "/engage", "text": "help",
                    "response_url": response_url, "trigger_id": f"bench.{number}.{i}",
                })  # fmt: skip
                stamp = str(int(time.time()))
                digest = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
                headers = {
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": "v0=" + digest.hexdigest(),
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                started = time.perf_counter()
                answer = http.post(f"{base}/slack/events", content=body, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                assert answer.status_code == 200, answer.text
                with lock:
                    latencies.append(elapsed)
                time.sleep(0.02)  # a steady stream, not a flood

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies[20:])
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _rss(root: int) -> tuple[float, str]:
    """The resident memory of a process and its descendants (MB), and each one's."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except OSError:
                continue
    family, todo = [root], [root]
    while todo:
        parent = todo.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        family += children
        todo += children
    sizes = []
    for pid in family:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kb = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0
        )
        sizes.append(kb / 1024)
    detail = "server " + " + ".join(f"{mb:.0f}" for mb in sizes)
    return sum(sizes), detail


def _wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("engagebot serve exited")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise RuntimeError("engagebot serve did not start")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _before_checkout(ref: str, work: Path) -> Path:
    if Path(ref).is_dir():
        return Path(ref).resolve()
    target = work / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(target), ref],
                   check=True, capture_output=True)  # fmt: skip
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE, help="a commit, or a checkout's folder")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--councils", type=int, default=10)
    parser.add_argument("--skip", default="", help="any of: turns,replies,ack,postgres")
    parser.add_argument("--seconds", type=float, default=15, help="each replies/s run")
    parser.add_argument("--export-cap", type=float, default=600, help="seconds per export")
    parser.add_argument("--postgres", default=os.environ.get("ENGAGEBOT_TEST_POSTGRES", ""))
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    before = _before_checkout(args.before, work)
    versions = [Version("before", before, work), Version("after", ROOT, work)]
    print(f"before: {before} ({args.before}); after: {ROOT}; load {os.getloadavg()[0]:.1f}")
    try:
        if "turns" not in skip:
            sizes = [int(s) for s in args.sizes.split(",")]
            turns_and_export(versions, sizes, args.councils, args.export_cap)
        if "replies" not in skip:
            replies(versions, "" if "postgres" in skip else args.postgres, args.seconds)
        if "ack" not in skip:
            acks(versions)
    finally:
        if not Path(args.before).is_dir():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                           capture_output=True)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
