"""Browser tests: Playwright for Python driving Debian's Chromium against `python -m hub serve`.

One server (SQLite, a fresh folder) serves the whole session; each test makes its own team, so tests do not
see each other's posts. A test that needs a pristine or restartable server asks for `fresh_server`.
Every page records Content Security Policy violations and whether an injected script ran
(`window.__xss`); `assert_clean` checks both. Screenshots go to test-results/screenshots/.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.fixtures import PASSWORD
from tests.test_serve import clean_environ, free_port, wait_for_ping

CHROMIUM = os.environ.get("HUBBUB_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
# Runs before the page's own scripts: what the assertions read afterwards.
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


class HubbubServer:
    """`python -m hub serve` in its own folder; restart() stops it with SIGTERM and starts it on the same port."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None) -> None:
        self.folder = folder
        # Extra variables for the server (MM_* settings); they win over the defaults start() sets.
        self.env = dict(env or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = folder / "serve.log"

    def start(self) -> None:
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub", "serve"],
                cwd=self.folder,
                env=clean_environ(
                    MM_SERVICESETTINGS_LISTENADDRESS=f"127.0.0.1:{self.port}",
                    MM_SERVICESETTINGS_SITEURL=self.url,
                    MM_RATELIMITSETTINGS_LOGINPERMINUTE="100000",
                    # Integrations in the tests are local receivers (tests/receiver.py).
                    MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS="127.0.0.1",
                )
                | self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for_ping(self.url, self.process, self.log)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class User:
    id: str
    username: str
    token: str


class Seeder:
    """Accounts, teams and channels made through the REST API, as an admin would."""

    _numbers = itertools.count(1)

    def __init__(self, url: str) -> None:
        self.url = url
        self.api = f"{url}/api/v4"
        self.admin: User | None = None

    def call(self, method: str, path: str, token: str, expected: int = 200, **kwargs):
        response = requests.request(
            method, f"{self.api}/{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs
        )
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def login(self, username: str) -> str:
        response = requests.post(
            f"{self.api}/users/login", json={"login_id": username, "password": PASSWORD}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.headers["Token"]

    def user(self, name: str = "", **fields) -> User:
        username = name or f"user{next(self._numbers)}"
        body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD, **fields}
        if self.admin is None:
            created = requests.post(f"{self.api}/users", json=body, timeout=30)
            assert created.status_code == 201, created.text
            self.admin = User(created.json()["id"], username, self.login(username))
            return self.admin
        created = self.call("POST", "users", self.admin.token, 201, json=body)
        return User(created["id"], username, self.login(username))

    def team(self, *members: User, name: str = "", display_name: str = "") -> dict:
        team_name = name or f"team{next(self._numbers)}"
        team = self.call(
            "POST",
            "teams",
            self.admin.token,
            201,
            json={"name": team_name, "display_name": display_name or team_name.title(), "type": "O"},
        )
        for member in members:
            if member.id != self.admin.id:
                self.call(
                    "POST",
                    f"teams/{team['id']}/members",
                    self.admin.token,
                    201,
                    json={"team_id": team["id"], "user_id": member.id},
                )
        return team

    def channel(
        self, team: dict, *members: User, name: str, display_name: str = "", type_: str = "O", **fields
    ) -> dict:
        channel = self.call(
            "POST",
            "channels",
            self.admin.token,
            201,
            json={
                "team_id": team["id"],
                "name": name,
                "display_name": display_name or name.title(),
                "type": type_,
                **fields,
            },
        )
        for member in members:
            if member.id != self.admin.id:
                self.call(
                    "POST",
                    f"channels/{channel['id']}/members",
                    self.admin.token,
                    201,
                    json={"user_id": member.id},
                )
        return channel

    def town_square(self, team: dict, token: str) -> dict:
        return self.call("GET", f"teams/{team['id']}/channels/name/town-square", token)

    def post(self, user: User, channel: dict, message: str, **fields) -> dict:
        return self.call(
            "POST", "posts", user.token, 201, json={"channel_id": channel["id"], "message": message, **fields}
        )


@pytest.fixture
def integration():
    """A local HTTP receiver playing an integration (an action's or a dialog's URL)."""
    from tests.receiver import Receiver

    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_instance):
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium (scripts/browser.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


def _serve(folder: Path):
    server = HubbubServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    yield from _serve(tmp_path_factory.mktemp("browser-server"))


@pytest.fixture
def fresh_server(tmp_path):
    yield from _serve(tmp_path)


@pytest.fixture(scope="session")
def seed(server) -> Seeder:
    seeder = Seeder(server.url)
    seeder.user("admin")
    return seeder


@pytest.fixture
def open_page(chromium):
    """open_page(url, user=None, path="/", init_script="") -> a page in a new browser context, signed in as
    `user` by its cookie; `init_script` runs before the page's own scripts."""
    contexts = []

    def open_(url: str, user: User | None = None, path: str = "/", init_script: str = "", **context_options):
        context = chromium.new_context(
            base_url=url, viewport={"width": 1280, "height": 800}, **context_options
        )
        context.add_init_script(WATCH_SCRIPT + init_script)
        contexts.append(context)
        if user is not None:
            answer = context.request.post(
                f"{url}/api/v4/users/login", data={"login_id": user.username, "password": PASSWORD}
            )
            assert answer.status == 200, answer.text()
        page = context.new_page()
        page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()


def assert_clean(page) -> None:
    """No injected script ran and the page broke no rule of its Content Security Policy."""
    assert page.evaluate("window.__xss") is None, "an injected script ran"
    assert page.evaluate("window.__cspViolations") == []


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def assert_accessible(page) -> None:
    """axe-core finds nothing serious or critical on the page as it is."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in serious
    )


# ---- servers with settings of their own, and a receiver they may call (the integrations console) ----------
# Outgoing webhooks and slash commands may reach 127.0.0.1, answer within 5 s and are retried at once.
LOOPBACK_INTEGRATIONS = {
    "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS": "127.0.0.1",
    "MM_SERVICESETTINGS_OUTGOINGINTEGRATIONREQUESTSTIMEOUT": "5",
    "MM_SERVICESETTINGS_OUTGOINGINTEGRATIONRETRYBASEMILLISECONDS": "0",
}


@pytest.fixture(scope="session")
def integrations_server(tmp_path_factory):
    """A session server that may call integrations listening on loopback (see `loopback_receiver`)."""
    server = HubbubServer(tmp_path_factory.mktemp("browser-integrations"), env=LOOPBACK_INTEGRATIONS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def integrations_seed(integrations_server) -> Seeder:
    seeder = Seeder(integrations_server.url)
    seeder.user("admin")
    return seeder


@pytest.fixture
def configured_server(tmp_path):
    """configured_server(**MM_variables) -> a server of the test's own with those settings, stopped after it."""
    started: list[HubbubServer] = []

    def start(**environment: str) -> HubbubServer:
        server = HubbubServer(tmp_path / f"server{len(started)}", env=environment)
        server.folder.mkdir()
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def _session_receiver():
    from tests.receiver import Receiver

    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def loopback_receiver(_session_receiver):
    """tests/receiver.py's Receiver on 127.0.0.1, shared by the session: each test starts with an empty queue
    and the default answer ({})."""
    import queue

    from tests.receiver import Answer

    while True:
        try:
            _session_receiver.requests.get_nowait()
        except queue.Empty:
            break
    _session_receiver.answer = Answer.json({})
    yield _session_receiver
