"""The bare stack the post path is measured against: Flask and SQLAlchemy under the same gunicorn gevent
worker, one endpoint that parses a JSON body, does one INSERT and one COMMIT, and answers 201 with JSON.
The same engine settings as Hubbub's store (SQLite in WAL with synchronous=NORMAL and one pooled
connection; psycopg 3 on PostgreSQL), so the difference is what Hubbub does per post.

    BARE_DATABASE_URL=sqlite:////tmp/bare.db gunicorn -k gevent -w 1 bench.bare_app:app
"""

from __future__ import annotations

import os
import time
import uuid

from flask import Flask, jsonify, request
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
