"""The browser client: the page shell for Mattermost's web URLs, its modules, and the headers that guard it.

The client is native ES modules (Preact, htm, signals, DOMPurify from npm through package-lock.json,
installed by the Makefile into node_modules/); an import map in the shell names them, and the Content
Security Policy allows that one inline script by its hash and nothing else. The client talks to REST v4
and /api/v4/websocket with the cookie session, like any other client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, send_from_directory

from hub.markdown import highlight_css

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
NODE_MODULES = WEB_DIR / "node_modules"
# The one registry of third-party modules: import name -> (npm package, file inside it).
VENDOR_MODULES = {
    "preact": ("preact", "dist/preact.mjs"),
    "preact/hooks": ("preact", "hooks/dist/hooks.mjs"),
    "htm": ("htm", "dist/htm.mjs"),
    "htm/preact": ("htm", "preact/index.mjs"),
    "@preact/signals": ("@preact/signals", "dist/signals.mjs"),
    "@preact/signals-core": ("@preact/signals-core", "dist/signals-core.mjs"),
    "dompurify": ("dompurify", "dist/purify.es.mjs"),
}
# First segments that belong to the API and the hooks, never to a team's name.
_NOT_A_TEAM = {"api", "hooks", "static", "plugins", "favicon.ico", "robots.txt"}
# Every modern browser loads modules only with a JavaScript type.
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")


@dataclass(frozen=True)
class Shell:
    static_version: str
    import_map: str
    csp: str
    preload: tuple[str, ...]


def _vendor_url(package: str, file: str, version: str) -> str:
    return f"/static/vendor/{package}@{version}/{file}"


def _installed_version(package: str) -> str | None:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text())["version"]


def static_digest() -> str:
    """A digest of the client's own files: their URLs change whenever they do, so browsers may cache them for good."""
    digest = hashlib.sha256()
    for path in sorted((WEB_DIR / "static").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(WEB_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_shell() -> Shell | None:
    """The import map and the policy that allows it; None when the npm modules are not installed."""
    imports = {}
    for name, (package, file) in VENDOR_MODULES.items():
        version = _installed_version(package)
        if version is None:
            return None
        imports[name] = _vendor_url(package, file, version)
    import_map = json.dumps({"imports": imports}, indent=1, sort_keys=True)
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    csp = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'sha256-{digest}'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'self'",
            "require-trusted-types-for 'script'",
            "trusted-types dompurify",
        ]
    )
    preload = tuple(imports[name] for name in ("preact", "preact/hooks", "htm", "@preact/signals-core"))
    return Shell(static_digest(), import_map, csp, preload)


def guard(response: Response, csp: str) -> Response:
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def create_blueprint() -> Blueprint:
    bp = Blueprint("web", __name__, template_folder="templates")
    shell = build_shell()
    if shell is None:
        logger.error(
            "the web client's modules are missing from %s: run `make run` (it runs npm ci)", NODE_MODULES
        )
    # Only the files the import map names are served, never the rest of node_modules.
    vendor_files = {
        _vendor_url(package, file, str(_installed_version(package))).removeprefix("/static/vendor/"): (
            package,
            file,
        )
        for package, file in VENDOR_MODULES.values()
    }

    def page(team: str | None = None) -> Response:
        if team in _NOT_A_TEAM:
            abort(404)
        if shell is None:
            return Response(
                "The web client is not installed: run `make run`, which installs its modules.",
                503,
                {"Content-Type": "text/plain; charset=utf-8"},
            )
        html = render_template("app.html", shell=shell)
        response = Response(
            html, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}
        )
        return guard(response, shell.csp)

    # Mattermost's web URLs; the client's router decides what each shows.
    bp.add_url_rule("/", "root", page)
    for path in (
        "/login",
        "/signup_user_complete",
        "/select_team",
        "/create_team",
        "/admin_console",
        "/admin_console/<path:rest>",
    ):
        bp.add_url_rule(path, path, lambda rest=None: page())
    for path in (
        "/<team>",
        "/<team>/channels/<name>",
        "/<team>/messages/<name>",
        "/<team>/pl/<post_id>",
        "/<team>/threads",
        "/<team>/integrations",
        "/<team>/integrations/<path:rest>",
    ):
        bp.add_url_rule(path, path, lambda team, **_: page(team))

    @bp.get("/static/app/<version>/css/code.css")
    def code_css(version: str):
        current = shell is not None and version == shell.static_version
        cache = "public, max-age=31536000" if current else "no-cache"
        return Response(
            highlight_css(), 200, {"Content-Type": "text/css; charset=utf-8", "Cache-Control": cache}
        )

    @bp.get("/static/app/<version>/<path:filename>")
    def app_file(version: str, filename: str):
        current = shell is not None and version == shell.static_version
        response = send_from_directory(WEB_DIR / "static", filename, max_age=31536000 if current else 0)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @bp.get("/static/vendor/<path:spec>")
    def vendor_file(spec: str):
        if spec not in vendor_files:
            abort(404)
        package, file = vendor_files[spec]
        response = send_from_directory(NODE_MODULES / package, file, max_age=31536000)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return bp
