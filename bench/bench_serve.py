"""`guard serve` under a fixed offered load on loopback: requests/s, p50/p99 latency, errors.

    python bench/bench_serve.py [--rate 500] [--seconds 20] [--connections 32]

Starts the real server (`guard serve --port 0`, access log on, to a file, as
deployed), then offers requests at a fixed rate whatever the answers' speed
(open loop: request i is due at start + i/rate, and its latency is counted
from when it was due, so a stall shows up in every request that waited
behind it). Three runs, side by side:

* GET /healthz — the HTTP stack alone (the baseline);
* POST /v1/check — generated after-sales messages (samples/generate.py, 5 %
  violations), each with the agent's two previous messages as context, as
  the browser extension sends them;
* the same, with the lexicon changed and SIGHUP sent half-way: the server
  compiles the new lexicon while it answers.

Bounded: rate × seconds requests per run (10,000 by default), each with a
10 s timeout. A run fails (exit 1) on any error. Figures vary with the
machine's load (two shared cores here): compare the runs of one invocation.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT))

from generate import messages  # noqa: E402

from tests.serving import Served  # noqa: E402

TIMEOUT = 10.0
LEXICON = ('[[group]]\nid = "bench-app"\nlabel = "压测用应用"\ncategory = "contact_im"\n'
           'block = [{terms}]\n')


class Connections:
    """Keep-alive HTTP/1.1 connections to the server; one request at a time on each."""

    def __init__(self, port: int, limit: int) -> None:
        self.port = port
        self.free: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(limit)
        self.stale = 0  # idle connections the server had closed, found on reuse

    async def request(self, raw: bytes) -> int:
        async with self.slots:
            while self.free:
                reader, writer = self.free.pop()
                if not (reader.at_eof() or writer.is_closing()):
                    try:
                        return await self._exchange(reader, writer, raw)
                    except (asyncio.IncompleteReadError, ConnectionError):
                        # the server closed it while idle (keep-alive timeout) just as it
                        # was taken: an HTTP client sends again on a new connection
                        self.stale += 1
                writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            return await self._exchange(reader, writer, raw)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        raw: bytes) -> int:
        writer.write(raw)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        self.free.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.free:
            writer.close()


def post(path: str, body: dict) -> bytes:
    data = json.dumps(body, ensure_ascii=False).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


async def offer(port: int, requests: list[bytes], rate: float, connections: int,
                midway=None) -> dict:  # type: ignore[no-untyped-def]
    """Send `requests` at `rate` per second; latencies from each request's due time."""
    pool = Connections(port, connections)
    samples: list[tuple[float, float]] = []  # (due, latency)
    errors: list[str] = []
    start = time.perf_counter() + 0.2

    async def one(index: int, raw: bytes) -> None:
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            status = await asyncio.wait_for(pool.request(raw), TIMEOUT)
        except Exception as exc:  # a refused, dropped or timed-out request is an error
            errors.append(repr(exc))
            return
        if status != 200:
            errors.append(f"HTTP {status}")
            return
        samples.append((due, time.perf_counter() - due))

    tasks = [asyncio.create_task(one(i, raw)) for i, raw in enumerate(requests)]
    signalled = None
    if midway is not None:
        await asyncio.sleep(0.2 + len(requests) / rate / 2)
        signalled = time.perf_counter()
        midway()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    pool.close()
    result = summary([latency for _, latency in samples])
    result.update(requests=len(requests), errors=len(errors), first_errors=errors[:3],
                  stale_connections=pool.stale, per_second=len(samples) / elapsed,
                  samples=samples, signalled=signalled)
    return result


def summary(latencies: list[float]) -> dict:
    latencies = sorted(latencies)

    def at(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    if not latencies:
        return {"count": 0, "p50": 0.0, "p99": 0.0, "p999": 0.0, "max": 0.0, "mean": 0.0}
    return {"count": len(latencies), "p50": at(0.50), "p99": at(0.99), "p999": at(0.999),
            "max": latencies[-1] * 1000, "mean": statistics.fmean(latencies) * 1000}


def mix(count: int) -> list[bytes]:
    """Generated agent messages, each sent with the two before it as context."""
    texts = [text for text, _ in messages(count + 2, seed=23)]
    return [post("/v1/check", {"text": texts[i + 2], "context": texts[i:i + 2]})
            for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second offered")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections")
    args = parser.parse_args(argv)
    count = int(args.rate * args.seconds)
    workload = mix(count)
    gc.collect()
    gc.freeze()  # the load generator's own pauses must not count as the server's
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        lexicons = Path(folder) / "lexicons"
        lexicons.mkdir()
        (lexicons / "bench.toml").write_text(LEXICON.format(terms='"压测暗号甲"'), "utf-8")
        log = Path(folder) / "serve.log"
        with Served(["--lexicons", str(lexicons)], log=str(log)) as server:
            def reload() -> None:
                # a term never seen before: the new lexicon is compiled, not read from the cache
                fresh = f"压测暗号{time.time_ns()}"
                (lexicons / "bench.toml").write_text(
                    LEXICON.format(terms=f'"压测暗号甲", "{fresh}"'), "utf-8")
                server.signal(signal.SIGHUP)

            runs = (("GET /healthz (baseline)", [get("/healthz")] * count, None),
                    ("POST /v1/check, message mix", workload, None),
                    ("POST /v1/check, SIGHUP reload mid-run", workload, reload))
            for name, requests, midway in runs:
                result = asyncio.run(offer(server.port, requests, args.rate, args.connections,
                                           midway))
                rows.append((name, result))
                shown = {k: v for k, v in result.items() if k != "samples"}
                print(f"{name}: {shown}", file=sys.stderr)
        assert server.stop() == 0
        reloaded = [line for line in server.lines if "词库已重新加载" in line]
        accessed = sum(" /v1/check 200 " in line for line in server.lines)
    print(f"\nguard serve on loopback, {args.rate:.0f} req/s offered for {args.seconds:.0f} s "
          f"per run ({count:,} requests), {args.connections} connections\n")
    print("| run | requests | errors | answered/s | p50 ms | p99 ms | p99.9 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|")
    base = rows[0][1]
    for name, r in rows:
        print(f"| {name} | {r['requests']:,} | {r['errors']} | {r['per_second']:,.0f} | "
              f"{r['p50']:.2f} | {r['p99']:.2f} | {r['p999']:.2f} | {r['max']:.1f} |")
    for name, r in rows[1:]:
        print(f"\n{name}: p50 {r['p50'] / base['p50']:.2f}× and p99 "
              f"{r['p99'] / base['p99']:.2f}× the baseline's")
    print(f"\nreload: {reloaded[-1].strip() if reloaded else 'NOT SEEN'}")
    took = re.search(r"用时 ([0-9.]+) 秒", reloaded[-1]) if reloaded else None
    last = rows[-1][1]
    if took and last["signalled"] is not None:
        window = (last["signalled"], last["signalled"] + float(took.group(1)))
        during = summary([lat for due, lat in last["samples"] if window[0] <= due <= window[1]])
        print(f"requests due while it reloaded ({float(took.group(1)):.2f} s): "
              f"{during['count']:,}, p50 {during['p50']:.2f} ms, p99 {during['p99']:.2f} ms, "
              f"max {during['max']:.1f} ms")
    print(f"access log lines for /v1/check: {accessed:,}")
    failed = any(r["errors"] for _, r in rows) or not reloaded
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
