"""The web client's shell, without a browser: Mattermost's URLs answer the page, under a policy that allows
exactly its import map; only the modules the map names are served; the API keeps its own answers."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from server.web import VENDOR_MODULES

PAGES = [
    "/",
    "/login",
    "/signup_user_complete",
    "/select_team",
    "/create_team",
    "/admin_console/users",
    "/crew",
    "/crew/channels/town-square",
    "/crew/messages/@alice",
    "/crew/pl/0123456789abcdefghijklmnop",
    "/crew/integrations/incoming_webhooks/add",
]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("path", PAGES)
def test_mattermosts_web_urls_answer_the_shell_under_a_strict_policy(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    page = answer.get_data(as_text=True)
    import_map = re.search(r'<script type="importmap">(.*?)</script>', page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    policy = dict(part.strip().split(" ", 1) for part in answer.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["require-trusted-types-for"] == "'script'"
    assert policy["img-src"] == "'self' data: blob:" and policy["connect-src"] == "'self'"
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    # The import map is the only inline script; everything else is a module from this origin.
    assert len(re.findall(r"<script\b", page)) == 2
    assert re.search(r'<script type="module" src="/static/app/[0-9a-f]{16}/js/main.js"></script>', page)


def test_the_import_map_names_every_module_and_each_is_served_as_javascript(client):
    page = client.get("/").get_data(as_text=True)
    urls = dict(re.findall(r'"([@\w/-]+)": "(/static/vendor/[^"]+)"', page))
    assert set(urls) == set(VENDOR_MODULES)
    for url in urls.values():
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["Content-Type"].startswith("text/javascript")
        assert "immutable" in answer.headers["Cache-Control"]


def test_only_the_mapped_files_of_node_modules_are_served(client):
    for path in [
        "/static/vendor/preact@11.2.0/package.json",
        "/static/vendor/preact@0.0.1/dist/preact.mjs",
        "/static/vendor/../package-lock.json",
        "/static/vendor/dompurify@3.5.0/dist/purify.js",
    ]:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.get_json()["status_code"] == 404


def test_the_clients_own_files_are_cached_only_under_their_current_digest(client):
    page = client.get("/").get_data(as_text=True)
    current = re.search(r"/static/app/([0-9a-f]{16})/js/main.js", page).group(1)
    fresh = client.get(f"/static/app/{current}/js/main.js")
    assert fresh.status_code == 200 and fresh.headers["Content-Type"].startswith("text/javascript")
    assert "max-age=31536000" in fresh.headers["Cache-Control"]
    stale = client.get("/static/app/0000000000000000/js/main.js")
    assert stale.status_code == 200 and "max-age=0" in stale.headers["Cache-Control"]
    assert client.get(f"/static/app/{current}/js/../../__init__.py").status_code == 404


def test_api_and_hook_paths_are_never_the_page(client):
    assert client.get("/api").status_code == 404
    assert client.get("/hooks").status_code == 404
    assert client.get("/api/channels/x").get_json()["status_code"] == 404
    assert client.get("/api/v4/nothing-here").get_json()["status_code"] == 404
