"""Oversize bodies: how much a web worker grows while anonymous senders stream endless JSON bodies at it.

Starts Hubbub as in production (harness.running_server: gunicorn with the gevent worker) on SQLite,
and beside it, in the same run, the bare stack: Flask's `request.get_json()` under the same gunicorn
gevent worker with the limit at the upload size (bare_body_reader.py, how Hubbub read bodies before
issue 9). Against each, --senders raw sockets at once POST a chunked body (no Content-Length) to
/api/v4/users/login, a JSON object whose one string grows by 64 KiB chunks up to --megabytes, sending
until the server answers or the body is done. The web worker's resident memory is read when idle, its
peak (VmHWM) is reset, and after the flood the peak is read again; printed per server: idle RSS, peak
growth, what the senders were answered, how many MiB the server took before answering, and seconds.

    .venv/bin/python bench/bench_oversize.py
    .venv/bin/python bench/bench_oversize.py --senders 16 --megabytes 100 --json
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from harness import free_port, parse_arguments, running_server, wait_until_up

BENCH_DIR = Path(__file__).resolve().parent
CHUNK_BYTES = 65_536
MIB = 1_048_576


@dataclass
class Sent:
    status: str
    body_bytes: int


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


def answered(connection: socket.socket) -> bool:
    return bool(select.select([connection], [], [], 0)[0])


def status_of(connection: socket.socket) -> str:
    """The status code the server answered, or what happened to the connection instead."""
    try:
        connection.settimeout(30)
        head = connection.recv(4096)
    except ConnectionResetError:
        return "reset"
    except TimeoutError:
        return "no answer"
    return head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/") else "closed"


def send_endless_login(port: int, total_bytes: int) -> Sent:
    """One sender: a chunked JSON body of about total_bytes, stopped as soon as the server answers."""
    payload = chunk(b"a" * CHUNK_BYTES)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        try:
            connection.sendall(
                b"POST /api/v4/users/login HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + chunk(b'{"login_id":"')
            )
            while sent < total_bytes and not answered(connection):
                connection.sendall(payload)
                sent += CHUNK_BYTES
            if not answered(connection):
                connection.sendall(chunk(b'","password":"x"}') + b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading; its answer may still be waiting
        return Sent(status_of(connection), sent)


def flood(port: int, senders: int, total_bytes: int) -> tuple[list[Sent], float]:
    results: list[Sent] = []
    lock = threading.Lock()

    def sender() -> None:
        outcome = send_endless_login(port, total_bytes)
        with lock:
            results.append(outcome)

    started = time.monotonic()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise SystemExit(f"/proc/{pid}/status has no {field}")


def measure(name: str, master_pid: int, port: int, args: argparse.Namespace) -> dict:
    """Idle RSS and peak growth of the server's busiest process under one flood."""
    processes = children(master_pid)
    idle = {pid: memory_kib(pid, "VmRSS") for pid in processes}
    for pid in processes:
        # Writing 5 resets the peak resident size (VmHWM) to the current one.
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    results, elapsed = flood(port, args.senders, args.megabytes * MIB)
    growth = {pid: memory_kib(pid, "VmHWM") - idle[pid] for pid in processes}
    grown = max(growth, key=growth.get)
    return {
        "server": name,
        "worker_idle_rss_mib": round(idle[grown] / 1024, 1),
        "worker_peak_growth_mib": round(growth[grown] / 1024, 1),
        "answers": dict(Counter(result.status for result in results)),
        "mib_sent_before_answer_max": round(max(result.body_bytes for result in results) / MIB, 1),
        "seconds": round(elapsed, 1),
    }


def measure_bare(args: argparse.Namespace) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hubbub-bench-bare-") as tmp:
        log = (Path(tmp) / "bare.log").open("w")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                "gevent",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "bare_body_reader:app",
            ],
            cwd=BENCH_DIR,
            env={**os.environ, "PYTHONPATH": str(BENCH_DIR)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}", server)
            return measure("bare Flask get_json", server.pid, port, args)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders, each on its own socket")
    parser.add_argument("--megabytes", type=int, default=100, help="how much each sender sends at most (MiB)")
    args = parse_arguments(parser, argv)
    with running_server(args) as server:
        port = int(server.url.rsplit(":", 1)[1])
        rows = [measure("Hubbub", server.pid, port, args)]
    rows.append(measure_bare(args))
    if args.json:
        print(
            json.dumps({"senders": args.senders, "megabytes": args.megabytes, "db": args.db, "servers": rows})
        )
        return 0
    print(
        f"{args.senders} senders, each streaming up to {args.megabytes} MiB of chunked JSON to /api/v4/users/login"
    )
    for row in rows:
        print(
            f"{row['server']:>20}: idle {row['worker_idle_rss_mib']} MiB, peak growth {row['worker_peak_growth_mib']} MiB,"
            f" answers {row['answers']}, at most {row['mib_sent_before_answer_max']} MiB sent before the answer,"
            f" {row['seconds']} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
