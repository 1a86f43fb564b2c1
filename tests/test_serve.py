"""`python -m hub serve` for real: gunicorn with the gevent worker, on SQLite, in a fresh folder."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.fixtures import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environ(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MM_") and k != "HUBBUB_CONFIG"}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(extra)
    return environ


def wait_for_ping(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            return requests.get(f"{url}/api/v4/system/ping", timeout=2).json()
        except requests.RequestException:  # not listening yet, or the worker is still booting
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within {timeout}s:\n{log.read_text()}")


@pytest.fixture
def served(tmp_path):
    """The server started in an empty folder: it must make its config.json and ./data itself."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub", "serve"],
            cwd=tmp_path,
            env=clean_environ(MM_SERVICESETTINGS_LISTENADDRESS=f"127.0.0.1:{port}"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, f"http://127.0.0.1:{port}", log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_answers_signs_up_the_first_admin_and_stops_cleanly(served, tmp_path):
    process, url, log = served
    assert wait_for_ping(url, process, log)["status"] == "OK"
    assert (tmp_path / "config" / "config.json").is_file()
    assert (tmp_path / "data" / "hubbub.db").is_file()
    output = log.read_text()
    assert f"Hubbub is starting on {url} (database: sqlite3)" in output
    assert "No account exists yet." in output
    assert "Using worker: gevent" in output

    with requests.Session() as http:
        created = http.post(
            f"{url}/api/v4/users",
            json={"username": "first", "email": "first@example.com", "password": PASSWORD},
        )
        assert created.status_code == 201, created.text
        assert created.json()["roles"] == "system_admin system_user"
        login = http.post(f"{url}/api/v4/users/login", json={"login_id": "first", "password": PASSWORD})
        assert login.status_code == 200, login.text
        me = http.get(f"{url}/api/v4/users/me", headers={"Authorization": f"Bearer {login.headers['Token']}"})
        assert me.json()["id"] == created.json()["id"]

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text()
    assert "Shutting down: Master" in log.read_text()


def gunicorn_settings(tmp_path: Path, config: dict) -> dict:
    """What server/gunicorn_conf.py sets for this config, and which heavy modules reading it imported."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    probe = (
        "import json, os, runpy, sys\n"
        f"settings = runpy.run_path({str(ROOT / 'server' / 'gunicorn_conf.py')!r})\n"
        "print(json.dumps({\n"
        "    'imported': [m for m in ('psycopg', 'requests', 'sqlalchemy', 'flask', 'gevent') if m in sys.modules],\n"
        "    'psycopg_wait': os.environ['PSYCOPG_WAIT_FUNC'],\n"
        "    **{k: settings[k] for k in ('bind', 'workers', 'worker_class', 'graceful_timeout')},\n"
        "}))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        env=clean_environ(MM_CONFIG=str(path)),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(shown.stdout)


def test_the_gunicorn_master_leaves_psycopg_and_requests_to_the_patched_worker(tmp_path):
    """gevent patches the worker as it starts; whatever the master imported would escape the patching."""
    settings = gunicorn_settings(
        tmp_path,
        {
            "SqlSettings": {"DriverName": "postgres", "DataSource": "postgres://x@127.0.0.1/x"},
            "ServiceSettings": {"ListenAddress": "[::1]:9999", "WebserverWorkers": 3},
            "CacheSettings": {"CacheType": "redis", "RedisAddress": "127.0.0.1:6379"},
        },
    )
    assert settings == {
        "imported": [],
        "psycopg_wait": "wait_poll",
        "bind": ["[::1]:9999"],
        "workers": 3,
        "worker_class": "gevent",
        "graceful_timeout": 5,
    }


def test_sqlite_forces_a_single_worker(tmp_path):
    settings = gunicorn_settings(
        tmp_path,
        {"SqlSettings": {"DataSource": str(tmp_path / "h.db")}, "ServiceSettings": {"WebserverWorkers": 4}},
    )
    assert (settings["workers"], settings["bind"]) == (1, ["0.0.0.0:8065"])


def _raw_http(url: str, request: bytes) -> tuple[int, dict]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in head, received[:300]
    return int(head.split()[1]), json.loads(body)


def test_requests_gunicorn_refuses_itself_answer_app_errors(served):
    process, url, log = served
    wait_for_ping(url, process, log)
    status, error = _raw_http(url, b"GET /api/v4/" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (status, error["status_code"], error["id"]) == (
        414,
        414,
        "api.context.request_uri_too_long.app_error",
    )
    big_header = b"X-Big: " + b"b" * 9000 + b"\r\n"
    status, error = _raw_http(url, b"GET /api/v4/system/ping HTTP/1.1\r\nHost: x\r\n" + big_header + b"\r\n")
    assert status == error["status_code"] and status in (400, 431)
    assert set(error) == {"id", "message", "detailed_error", "request_id", "status_code"}
    status, error = _raw_http(url, b"GET /api/v4/system/ping HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert status == error["status_code"] == 400


def test_a_chunked_body_past_the_cap_is_refused_as_it_streams(served):
    process, url, log = served
    wait_for_ping(url, process, log)

    def endless_chunks():
        for _ in range(2000):  # 128 MiB if the server kept reading
            yield b"[" * 65536

    answer = requests.post(
        f"{url}/api/v4/users/login",
        data=endless_chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert answer.json()["id"] == "api.context.request_body_too_large.app_error"
