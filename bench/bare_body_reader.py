"""The bare stack for bench_oversize.py: Flask's own body handling under the same gunicorn gevent worker.

`request.get_json()` reads the whole body, up to MAX_CONTENT_LENGTH, before anything looks at it; with
the limit at the upload size this is how Hubbub read JSON bodies before issue 9.

    gunicorn -k gevent -w 1 -b 127.0.0.1:8099 bare_body_reader:app
"""

from __future__ import annotations

from flask import Flask, jsonify, request

UPLOAD_LIMIT_BYTES = 104_857_600 + 1_048_576

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = UPLOAD_LIMIT_BYTES


@app.get("/api/v4/system/ping")
def ping():
    return jsonify(status="OK")


@app.post("/api/v4/users/login")
def login():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(id="api.context.invalid_body_param.app_error", status_code=400), 400
    return jsonify(id="api.user.login.invalid_credentials_email_username", status_code=401), 401
