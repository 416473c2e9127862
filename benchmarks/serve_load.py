"""Load on `osms-eval serve` over loopback: a fixed number of POST /calculate requests at concurrency 1, 4 and 16,
single-scenario requests and batches of 1 000 scenarios; throughput and p50/p99 latency. Bounded: about 30 s on
2 cores, most of it the 16 concurrent batches of 1 000.

    python benchmarks/serve_load.py                     # one server process
    python benchmarks/serve_load.py --workers 2         # uvicorn with 2 worker processes

Every answer is checked (status 200, the expected employer deduction), so a fast wrong server does not score.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PERSON = {"birth_date": "1985-05-05", "residency": "citizen"}
# 3 % × min(450 000, 40 × 85 000) = 13 500 (employer deduction, 2026-03; MZP 2026 = 85 000)
WANT = 13500


def body(n: int) -> dict:
    return {
        "scenarios": [
            {"id": f"p{i}", "person": PERSON, "jobs": [{"employer": "A", "from": "2024-01", "wage": 450000}]}
            for i in range(n)
        ],
        "month": "2026-03",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "osms", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def level(url: str, payload: bytes, n_scenarios: int, requests: int, concurrency: int) -> dict:
    latencies: list[float] = []

    def one(client: httpx.Client) -> None:
        t = time.perf_counter()
        r = client.post("/calculate", content=payload, headers={"content-type": "application/json"})
        latencies.append(time.perf_counter() - t)
        doc = r.json()
        assert r.status_code == 200 and len(doc["results"]) == n_scenarios, r.text[:200]
        assert doc["results"][-1]["employer_deduction"]["total"] == WANT

    clients = [httpx.Client(base_url=url, timeout=120) for _ in range(concurrency)]
    start_t = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for f in [pool.submit(one, clients[i % concurrency]) for i in range(requests)]:
            f.result()
    wall = time.perf_counter() - start_t
    for c in clients:
        c.close()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return {
        "requests": requests,
        "rps": requests / wall,
        "scen_s": requests * n_scenarios / wall,
        "p50": pick(0.50) * 1000,
        "p99": pick(0.99) * 1000,
    }


def main() -> None:
    import json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--single", type=int, default=32, help="single-scenario requests per concurrency level")
    ap.add_argument("--batch", type=int, default=4, help="1 000-scenario requests per concurrency level")
    args = ap.parse_args()
    proc, url = start(args.workers)
    try:
        print(f"osms-eval serve, {args.workers} worker(s), loopback; POST /calculate, month 2026-03")
        print(
            f"{'request':>16} {'conc.':>5} {'requests':>8} {'req/s':>8} {'scenarios/s':>11} {'p50 ms':>8} {'p99 ms':>8}"
        )
        for n, count in ((1, args.single), (1000, args.batch)):
            payload = json.dumps(body(n)).encode()
            level(url, payload, n, 1, 1)  # warm-up
            for conc in (1, 4, 16):
                r = level(url, payload, n, max(count, conc), conc)
                print(
                    f"{f'{n} scenario(s)':>16} {conc:>5} {r['requests']:>8} {r['rps']:>8.1f} {r['scen_s']:>11.0f} "
                    f"{r['p50']:>8.0f} {r['p99']:>8.0f}"
                )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
