"""Faults on loopback, bounded: oversized, malformed and slow requests while normal ones run; SIGTERM drains."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from osms.serve.limits import MAX_BODY_BYTES, MAX_PAYMENTS, MAX_SCENARIOS

from .conftest import start_server, stop_server

PERSON = {"birth_date": "1990-01-01", "residency": "citizen"}
# 3 % × min(500 000, 40 × 85 000) = 15 000 (employer deduction, 2026-03; MZP 2026 = 85 000)
NORMAL = {
    "scenario": {"person": PERSON, "jobs": [{"employer": "A", "from": "2026-01", "wage": 500000}]},
    "month": "2026-03",
}


def raw(
    port: int, head: bytes, body: bytes = b"", pause: float = 0.0, pieces: int = 1, timeout: float = 10
) -> tuple[int, dict]:
    """Send a request over a plain socket (optionally the body in slow pieces); the status and the JSON body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head)
        step = max(1, -(-len(body) // pieces))
        try:
            for i in range(0, len(body), step):
                s.sendall(body[i : i + step])
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head_text, _, payload = data.partition(b"\r\n\r\n")
    return int(head_text.split()[1]), json.loads(payload)


def _expected(data: bytes) -> int:
    head, sep, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + len(sep) + int(line.split(b":")[1])
    return 1 << 62


def post_head(length: int, path: str = "/calculate?lang=en") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()


def test_limits(server, api) -> None:
    status, doc = raw(server.port, post_head(MAX_BODY_BYTES + 1))  # refused from the header alone
    assert status == 413 and doc["detail"] == f"the body is {MAX_BODY_BYTES + 1} bytes; the limit is {MAX_BODY_BYTES}"

    def chunks():  # no Content-Length: refused while reading
        for _ in range(9):
            yield b" " * (1024 * 1024)

    r = api.post("/calculate?lang=en", content=chunks(), headers={"content-type": "application/json"})
    assert (
        r.status_code == 413
        and r.json()["detail"] == f"the body is over {MAX_BODY_BYTES} bytes; the limit is {MAX_BODY_BYTES}"
    )
    many = {"scenarios": [{}] * (MAX_SCENARIOS + 1), "month": "2026-03"}
    r = api.post("/calculate?lang=en", json=many)
    assert r.status_code == 413 and r.json()["detail"] == "10001 scenarios in one request; the limit is 10000"
    pay = {"paid_on": "2025-01-10", "for_month": "2025-01", "amount": 4250, "kind": "self_payer"}
    r = api.post(
        "/calculate", json={"scenario": {"person": PERSON, "payments": [pay] * (MAX_PAYMENTS + 1)}, "month": "2025-03"}
    )
    assert r.status_code == 413 and r.json()["detail"] == "scenario: 2001 payments; the limit is 2000 per scenario"
    assert r.headers["content-type"] == "application/problem+json"


def test_bad_and_slow_clients_do_not_stop_normal_ones(server) -> None:
    """While a slowloris client trickles a body (cut off by the 2 s body deadline of the test server) and others
    send garbage and oversized bodies, normal requests keep being answered, correctly."""
    url = server.url + "/calculate"
    results: dict[str, list] = {"normal": [], "bad": [], "big": []}

    def slow() -> tuple[int, dict]:
        body = json.dumps(NORMAL).encode()
        return raw(server.port, post_head(len(body)), body, pause=0.4, pieces=12)

    def normal() -> None:
        r = httpx.post(url, json=NORMAL, timeout=30)
        results["normal"].append((r.status_code, r.json()["results"][0]["employer_deduction"]["total"]))

    def bad() -> None:
        r = httpx.post(
            url,
            content=b'{"month": "2026-03", "scenario": [1, 2',
            timeout=30,
            headers={"content-type": "application/json"},
        )
        results["bad"].append(r.status_code)

    def big() -> None:
        results["big"].append(raw(server.port, post_head(MAX_BODY_BYTES * 2))[0])

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        slow_ones = [pool.submit(slow) for _ in range(2)]
        time.sleep(0.2)
        jobs = [pool.submit(f) for _ in range(6) for f in (normal, bad, big)]
        for j in jobs:
            j.result(timeout=30)
        normal_done = time.monotonic() - started
        slow_answers = [s.result(timeout=30) for s in slow_ones]
    assert results["normal"] == [(200, 15000)] * 6
    assert results["bad"] == [422] * 6 and results["big"] == [413] * 6
    # Bounded, not a benchmark: the normal requests neither hang nor queue behind the trickling bodies (which are
    # read by the event loop, not by a worker thread).
    assert normal_done < 20, f"normal requests took {normal_done:.1f} s"
    for status, doc in slow_answers:
        assert status == 408
        assert doc["detail"] == "the body did not arrive whole within 2 seconds"


def test_sigterm_drains_the_request_in_flight() -> None:
    """SIGTERM while a request's body is still arriving: the server stops listening, answers it, and exits 0."""
    srv = start_server()
    body = json.dumps(NORMAL).encode()
    answer: list[tuple[int, dict]] = []
    t = threading.Thread(target=lambda: answer.append(raw(srv.port, post_head(len(body)), body, pause=0.3, pieces=4)))
    t.start()
    time.sleep(0.4)  # headers and the first piece are in
    srv.proc.send_signal(signal.SIGTERM)
    t.join(timeout=20)
    try:
        code = srv.proc.wait(timeout=20)  # no second signal: the first must be enough
    finally:
        stop_server(srv)
    assert answer and answer[0][0] == 200, srv.output()
    assert answer[0][1]["results"][0]["employer_deduction"]["total"] == 15000
    assert code == 0, srv.output()
    assert "Finished server process" in srv.output()


def test_records_per_answer_are_bounded(api) -> None:
    # 1 500 scenarios × 84 months (2020-01…2026-12) = 126 000 records > 120 000
    body = {"scenarios": [{"person": PERSON}] * 1500, "from": "2020-01", "to": "2026-12"}
    r = api.post("/calculate?lang=en", json=body)
    assert r.status_code == 413
    assert r.json()["detail"] == (
        "1500 scenarios × 84 months = 126000 records; the limit is 120000 a request "
        "(ask for fewer months or split the scenarios)"
    )
