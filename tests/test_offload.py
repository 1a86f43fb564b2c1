"""CPU-bound work (password hashing, image rendering) runs in bounded OS thread pools, off the gevent loop."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image

from hub import offload
from tests.fixtures import PASSWORD
from tests.test_serve import clean_environ
from tests.test_ws_processes import Server

IMAGE_UPLOADS = 4
# 16 Mpx of one colour: a PNG of some 20 KB that takes about a second to decode, flatten and scale.
LARGE_IMAGE_SIZE = (4000, 4000)


def test_the_pool_answers_what_the_call_returns_or_raises():
    pool = offload.Pool(2)
    assert pool.run(sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        pool.run(divmod, 1, 0)


def test_a_flood_of_calls_waits_for_the_pool_threads():
    pool = offload.Pool(2)
    release = threading.Event()
    changed = threading.Condition()
    running, peak = 0, 0

    def busy() -> int:
        nonlocal running, peak
        with changed:
            running += 1
            peak = max(peak, running)
            changed.notify_all()
        release.wait()
        with changed:
            running -= 1
        return threading.get_ident()

    with ThreadPoolExecutor(max_workers=6) as callers:
        calls = [callers.submit(pool.run, busy) for _ in range(6)]
        with changed:
            assert changed.wait_for(lambda: running == 2, timeout=30)
        release.set()
        threads = {call.result(timeout=30) for call in calls}
    assert peak == 2 and len(threads) == 2


GEVENT_SCRIPT = """
from gevent import monkey

monkey.patch_all()

import json
import time

import gevent

from hub import offload, security

original_sleep = monkey.get_original("time", "sleep")
original_ident = monkey.get_original("_thread", "get_ident")


def loop_turns_during(work):
    # How often another greenlet ran while `work` was in progress: never, if it held the loop.
    state = {"busy": True, "turns": 0, "result": None}

    def worker():
        try:
            state["result"] = work()
        finally:
            state["busy"] = False

    def ticker():
        while state["busy"]:
            state["turns"] += 1
            gevent.sleep(0)

    gevent.joinall([gevent.spawn(worker), gevent.spawn(ticker)])
    return state["turns"], state["result"]


stored = security.hash_password("correct horse")
hash_turns, made = loop_turns_during(lambda: security.hash_password("battery staple"))
verify_turns, verified = loop_turns_during(lambda: security.verify_password(stored, "correct horse"))
pool = offload.Pool(2)
idents = [gevent.spawn(pool.run, lambda: (original_sleep(0.05), original_ident())[1]) for _ in range(6)]
gevent.joinall(idents)
print(json.dumps({
    "hash_turns": hash_turns,
    "hash_ok": security.verify_password(made, "battery staple"),
    "verify_turns": verify_turns,
    "verified": verified,
    "pool_threads": len({g.value for g in idents}),
}))
"""


def test_password_hashing_leaves_the_gevent_loop_free():
    command = [sys.executable, "-c", GEVENT_SCRIPT]
    shown = subprocess.run(command, env=clean_environ(), capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    result = json.loads(shown.stdout)
    assert result["hash_ok"] is True and result["verified"] is True
    assert result["hash_turns"] > 0 and result["verify_turns"] > 0
    assert result["pool_threads"] == 2


def _ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    return response.json()


def _large_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", LARGE_IMAGE_SIZE, 200).save(out, format="PNG", optimize=True)
    return out.getvalue()


def test_the_server_answers_pings_while_it_renders_large_images(tmp_path):
    server = Server(tmp_path / "node", {}).start()
    try:
        url = server.url
        first = {"username": "first", "email": "first@example.com", "password": PASSWORD}
        _ok(requests.post(f"{url}/api/v4/users", json=first), 201)
        login = requests.post(f"{url}/api/v4/users/login", json={"login_id": "first", "password": PASSWORD})
        _ok(login)
        auth = {"Authorization": f"Bearer {login.headers['Token']}"}
        crew = {"name": "crew", "display_name": "Crew", "type": "O"}
        team = _ok(requests.post(f"{url}/api/v4/teams", json=crew, headers=auth), 201)
        town = _ok(requests.get(f"{url}/api/v4/teams/{team['id']}/channels/name/town-square", headers=auth))
        image = _large_png()

        def upload(n: int) -> requests.Response:
            files = {"files": (f"large{n}.png", image, "image/png")}
            return requests.post(
                f"{url}/api/v4/files", data={"channel_id": town["id"]}, files=files, headers=auth, timeout=300
            )

        data = server.folder / "data"
        with ThreadPoolExecutor(max_workers=IMAGE_UPLOADS) as clients:
            uploads = [clients.submit(upload, n) for n in range(IMAGE_UPLOADS)]
            # An original on disk means its upload is past storing and into rendering, which follows at once.
            while not any(data.rglob("large*.png")):
                assert not any(u.done() for u in uploads), [u.result().text for u in uploads if u.done()]
                time.sleep(0.01)
            ping = requests.get(f"{url}/api/v4/system/ping", timeout=300)
            still_rendering = [u for u in uploads if not u.done()]
            assert _ok(ping)["status"] == "OK"
            assert len(still_rendering) == IMAGE_UPLOADS
            infos = [_ok(u.result(), 201)["file_infos"][0] for u in uploads]
        for info in infos:
            assert (info["width"], info["height"], info["has_preview_image"]) == (*LARGE_IMAGE_SIZE, True)
            thumbnail = requests.get(f"{url}/api/v4/files/{info['id']}/thumbnail", headers=auth, timeout=30)
            assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    finally:
        server.kill()
