"""The public engagement page with 100, 2,000 and 10,000 published activities: time to first
byte, page size and requests per second of the list, a search and the Atom feed.

The page runs as `engagebot serve public` in its own process (on 127.0.0.1); the load comes
from another process: `wrk` when it is installed (`apt-get install wrk`), else an aiohttp
client. Requests ask for brotli or gzip, as browsers and feed readers do. Time to first byte is
measured cold (the first request after a change: the register is read and the page rendered)
and warm (median of 20, the rendered page kept until the register changes).
Target: the list under 100 KB and above 100 requests a second at 10,000 activities.
Run: python bench/bench_public.py [counts…]
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from models.db import make_engine, transaction, upgrade  # noqa: E402
from models.tables import Consultation  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PATHS = {"list": "/engage/", "search": "/engage/?q=library+hallgate", "feed": "/engage/feed.atom"}
SECONDS = 5
CONNECTIONS = 8
AREAS = ["Hallgate", "Moor Park", "Ynys Môn", "Bispham", "Layton", "Marton", "Anchorsholme"]
TOPICS = ["Libraries", "Parks", "Budget", "Planning", "Transport", "Housing"]


def fill(url: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        rows = []
        for n in range(count):
            start = date(2016, 1, 1) + timedelta(days=n * 3650 // max(count, 1))
            rows.append(
                {
                    "org_id": session.info["org_id"],
                    "title": f"{TOPICS[n % 6]} in {AREAS[n % 7]}: consultation {n}",
                    "level": "consult" if n % 2 else "involve",
                    "planned_start": start,
                    "planned_end": start + timedelta(days=42),
                    "status": "open" if start > date(2026, 10, 1) else "closed",
                    "area": AREAS[n % 7],
                    "topic": TOPICS[n % 6],
                    "summary": "We propose to change how the library service works. " * 3,
                    "who_can_take_part": "Anyone who lives, works or studies in the borough",
                    "how_to_take_part": "https://consult.example.gov.uk/survey",
                    "contact_name": "The engagement team",
                    "contact_email": "engage@example.gov.uk",
                    "participation": f"{n % 400} responses",
                    "findings": "Most people wanted longer opening hours. " * 4,
                    "you_said_we_did": "We kept the library open on Saturdays." if n % 3 else "",
                    "published": True,
                    "public_updated_at": NOW - timedelta(days=count - n),
                    "first_published_at": NOW - timedelta(days=count - n),
                    "created_at": NOW,
                }
            )
        session.execute(insert(Consultation), rows)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, coding: str = "br, gzip") -> tuple[float, int, int]:
    """(time to first byte in ms, bytes on the wire, bytes of the page)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": coding})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read(1)
        first = (time.perf_counter() - started) * 1000
        wire = 1 + len(response.read())
    plain = urllib.request.urlopen(url, timeout=60).read()
    return first, wire, len(plain)


def load(url: str) -> float:
    """Requests a second over SECONDS from CONNECTIONS connections, in another process."""
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-H", "Accept-Encoding: br, gzip",
             url],  # fmt: skip
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    code = (
        "import asyncio,aiohttp,time,sys\n"
        "async def main(url):\n"
        f" n=0; end=time.perf_counter()+{SECONDS}\n"
        " async with aiohttp.ClientSession(headers={'Accept-Encoding':'br, gzip'},"
        " auto_decompress=False) as s:\n"
        "  async def one():\n"
        "   nonlocal n\n"
        "   while time.perf_counter()<end:\n"
        "    async with s.get(url) as r: await r.read(); n+=1\n"
        f"  await asyncio.gather(*[one() for _ in range({CONNECTIONS})])\n"
        f" print(n/{SECONDS})\n"
        "asyncio.run(main(sys.argv[1]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True)
    return float(out.stdout.strip())


def measure(count: int) -> list[tuple[str, float, float, int, int, float]]:
    folder = Path(tempfile.mkdtemp(prefix="engagebot-bench-public-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    fill(url, count)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "ENGAGEBOT_NOW": NOW.isoformat(),
           "ENGAGEBOT_COUNCIL_NAME": "Bench Borough Council",
           "ENGAGEBOT_LOG_LEVEL": "WARNING"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "public", "--host", "127.0.0.1", "--port",
         str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        rows = []
        for name, path in PATHS.items():
            cold, wire, plain = fetch(base + path)
            warm = statistics.median(fetch(base + path)[0] for _ in range(20))
            rows.append((name, cold, warm, wire, plain, load(base + path)))
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [100, 2000, 10000]
    tool = "wrk" if shutil.which("wrk") else "aiohttp client"
    print(f"public page: {CONNECTIONS} connections for {SECONDS} s each ({tool}), br/gzip")
    print(f"{'activities':>10} {'page':<7} {'TTFB cold':>10} {'TTFB warm':>10} "
          f"{'on the wire':>12} {'page size':>10} {'req/s':>8}")  # fmt: skip
    verdict = True
    for count in counts:
        for name, cold, warm, wire, plain, rate in measure(count):
            print(f"{count:>10,} {name:<7} {cold:>8.1f}ms {warm:>8.1f}ms {wire / 1024:>9.1f} KB "
                  f"{plain / 1024:>7.1f} KB {rate:>8.0f}")  # fmt: skip
            if count == 10000 and name == "list":
                verdict = plain < 100 * 1024 and rate > 100
    if 10000 in counts:
        print("target (list < 100 KB and > 100 req/s at 10,000):", "met" if verdict else "NOT met")


if __name__ == "__main__":
    main()
