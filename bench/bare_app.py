"""The bare stack Hubbub is measured against, under the same gunicorn gevent worker and libraries.

- `POST /insert` parses a JSON body, does one INSERT and one COMMIT and answers 201 with JSON, with the
  same engine settings as Hubbub's store (SQLite in WAL with synchronous=NORMAL and one pooled
  connection; psycopg 3 on PostgreSQL): the difference is what Hubbub does per post.
- `/api/v4/websocket` (flask-sock, as Hubbub) answers the client's authentication challenge with a hello
  and keeps the socket; `POST /api/v4/posts` sends a `posted` event with the message to every socket:
  the fan-out without numbering, audiences, replay or a bus.

    BARE_DATABASE_URL=sqlite:////tmp/bare.db gunicorn -k gevent -w 1 bench.bare_app:app
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid

from flask import Flask, jsonify, request
from flask_sock import Sock
from sqlalchemy import BigInteger, Column, MetaData, String, Table, Text, create_engine, event, insert
from sqlalchemy.pool import QueuePool

DATABASE_URL = os.environ["BARE_DATABASE_URL"]
metadata = MetaData()
posts = Table(
    "bare_posts",
    metadata,
    Column("id", String(26), primary_key=True),
    Column("channel_id", String(26), nullable=False),
    Column("message", Text, nullable=False),
    Column("create_at", BigInteger, nullable=False),
)

if DATABASE_URL.startswith("sqlite"):
    engine = create_engine(DATABASE_URL, poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=60)

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
else:
    engine = create_engine(DATABASE_URL, pool_size=10, max_overflow=10, pool_pre_ping=True)
metadata.create_all(engine)
statement = insert(posts)
app = Flask(__name__)
sock = Sock(app)
sockets: set = set()
sockets_lock = threading.Lock()


@app.before_request
def _no_compression() -> None:
    # As Hubbub and Mattermost: the socket frames are not compressed (no permessage-deflate state).
    request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)


@app.post("/insert")
def insert_post():
    body = request.get_json()
    row = {
        "id": uuid.uuid4().hex[:26],
        "channel_id": str(body["channel_id"]),
        "message": str(body["message"]),
        "create_at": int(time.time() * 1000),
    }
    with engine.begin() as connection:
        connection.execute(statement, row)
    return jsonify(row), 201


@sock.route("/api/v4/websocket")
def websocket(ws) -> None:
    ws.receive()  # the authentication challenge; any token will do
    ws.send(json.dumps({"status": "OK", "seq_reply": 1}))
    ws.send(json.dumps({"event": "hello", "data": {"server_hostname": str(os.getpid())}, "seq": 0}))
    with sockets_lock:
        sockets.add(ws)
    try:
        while ws.receive() is not None:
            pass
    finally:
        with sockets_lock:
            sockets.discard(ws)


@app.post("/api/v4/posts")
def broadcast_post():
    body = request.get_json()
    post = {"id": uuid.uuid4().hex[:26], "channel_id": body["channel_id"], "message": body["message"]}
    frame = json.dumps(
        {"event": "posted", "data": {"post": json.dumps(post)}, "broadcast": {}}, separators=(",", ":")
    )
    with sockets_lock:
        targets = list(sockets)
    for ws in targets:
        try:
            ws.send(frame)
        except Exception:  # a socket that closed meanwhile
            pass
    return jsonify(post), 201
