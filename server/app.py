"""The application factory."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from flask import Blueprint, Flask, g, request

from hub import MATTERMOST_COMPAT_VERSION, __version__, logbuffer
from hub.ids import new_id
from hub.services import Hub
from server import errors, ratelimit, web, websocket
from server.api import BLUEPRINTS
from server.auth import authenticate_first

logger = logging.getLogger(__name__)

_SLASHES = re.compile(r"/{2,}")


class _MergeSlashes:
    """Clients sometimes build paths like /posts/{id}//reactions; route them, don't redirect them."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = _SLASHES.sub("/", path)
        return self.wsgi_app(environ, start_response)


def create_app(hub: Hub, extension_blueprints: Iterable[Blueprint] = ()) -> Flask:
    """The Flask app over one hub: the core's API, the extensions' routes, the WebSocket and the web
    client. The composition root (hubbub/) builds the hub and names the extensions' blueprints."""
    app = Flask(__name__)
    app.extensions["hub"] = hub
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    settings = hub.config
    logbuffer.install(settings["LogSettings"]["ConsoleLevel"])
    # Flask's documented way to add WSGI middleware, though it declares wsgi_app as a method.
    app.wsgi_app = _MergeSlashes(app.wsgi_app)  # type: ignore[method-assign]

    @app.before_request
    def _start_request() -> None:
        g.request_id = new_id()
        hub.refresh_config()
        # Uploads may be as large as a file is allowed to be; JSON bodies are capped in json_body().
        request.max_content_length = hub.config["FileSettings"]["MaxFileSize"] + 1024 * 1024

    @app.after_request
    def _finish_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers["X-Version-Id"] = f"{MATTERMOST_COMPAT_VERSION}.hubbub-{__version__}"
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-cache, max-age=31556926, public")
        return response

    errors.register(app)
    ratelimit.register(app, settings["RateLimitSettings"])
    app.before_request(authenticate_first)
    for blueprint in (*BLUEPRINTS, *extension_blueprints):
        app.register_blueprint(blueprint)
    websocket.init_app(app, hub)
    app.register_blueprint(web.create_blueprint())
    return app
