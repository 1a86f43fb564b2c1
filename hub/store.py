"""The database: engine creation from SqlSettings, sessions, and migrations."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor, ExecutionContext
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from hub import jsonsafe
from hub.caches import Row, RowCache, invalidation
from hub.config import Config
from hub.errors import AppError
from hub.events import PENDING_KEY as PENDING_EVENTS
from hub.events import Event

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
CHANGED_ROWS = "hubbub_changed_rows"

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Go's MySQL driver DSN, which Mattermost's config uses: user:pass@tcp(host:port)/db?params
_GO_MYSQL_DSN = re.compile(
    r"(?P<user>[^:@/]*)(?::(?P<password>.*))?@(?:tcp\((?P<addr>[^)]*)\))?/(?P<db>[^?]*)(?:\?(?P<query>.*))?"
)
_PSYCOPG_PARAMS = {"sslmode", "connect_timeout", "application_name", "sslrootcert", "options"}


def _sqlalchemy_url(driver: str, data_source: str) -> str:
    if driver == "sqlite3":
        if data_source.startswith("sqlite"):
            return data_source.replace("sqlite3://", "sqlite:///", 1)
        if data_source == ":memory:":
            return "sqlite+pysqlite:///:memory:"
        path = Path(data_source)
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite+pysqlite:///{path}"
    if driver == "postgres":
        url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", data_source)
        base, _, query = url.partition("?")
        kept = [(k, v) for k, v in parse_qsl(query) if k in _PSYCOPG_PARAMS]
        return base + ("?" + urlencode(kept) if kept else "")
    match = _GO_MYSQL_DSN.fullmatch(data_source)
    if match and not data_source.startswith("mysql"):
        user = quote(match["user"], safe="")
        password = ":" + quote(match["password"], safe="") if match["password"] else ""
        addr = match["addr"] or "127.0.0.1:3306"
        return f"mysql+pymysql://{user}{password}@{addr}/{match['db']}?charset=utf8mb4"
    url = re.sub(r"^mysql(\+\w+)?://", "mysql+pymysql://", data_source)
    base, _, query = url.partition("?")
    params = dict(parse_qsl(query))
    params["charset"] = "utf8mb4"
    return base + "?" + urlencode(params)


def _tune_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _refuse_unstorable_text(
    _conn: Connection,
    _cursor: DBAPICursor,
    _statement: str,
    parameters: Sequence[Any] | Mapping[str, Any],
    _context: ExecutionContext | None,
    executemany: bool,
) -> None:
    """The last guard before any database: PostgreSQL refuses NUL in text and no driver can encode a lone
    surrogate. Whatever field or query parameter brought one, the client gets a 400, not a 500."""
    for row in parameters if executemany else (parameters,):
        for value in row.values() if isinstance(row, dict) else row or ():
            if isinstance(value, str):
                try:
                    jsonsafe.check_text(value, "a value")
                except jsonsafe.UnsafeJson as refused:
                    raise AppError(
                        "app.store.unstorable_text.app_error",
                        "The request contains characters that cannot be stored.",
                        400,
                        str(refused),
                    ) from None


@contextmanager
def _bad_values_refused() -> Iterator[None]:
    """A value the database cannot hold (a number past a column's range, text past its length) is the
    client's mistake: a 400 naming the database's complaint, and the transaction rolled back."""
    try:
        yield
    except DataError as refused:
        logger.warning("the database refused a value: %s", refused.orig)
        raise AppError(
            "app.store.invalid_value.app_error",
            "A value in the request does not fit where it is stored.",
            400,
            str(refused.orig).splitlines()[0] if str(refused.orig) else type(refused.orig).__name__,
        ) from None


def create_db_engine(config: Config) -> Engine:
    engine = _create_engine(config)
    event.listen(engine, "before_cursor_execute", _refuse_unstorable_text)
    return engine


def _create_engine(config: Config) -> Engine:
    sql = config["SqlSettings"]
    url = _sqlalchemy_url(sql["DriverName"], sql["DataSource"])
    if sql["DriverName"] == "sqlite3":
        # One connection: SQLite has a single writer, and under gevent a second connection would
        # only wait on the file lock while blocking the whole process.
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"check_same_thread": False},
            json_serializer=jsonsafe.dumps,
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    pool_size = max(1, min(sql["MaxIdleConns"], sql["MaxOpenConns"]))
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max(0, sql["MaxOpenConns"] - pool_size),
        pool_pre_ping=True,
        pool_recycle=3600,
        json_serializer=jsonsafe.dumps,
    )


def has_uncommitted_changes(s: Session) -> bool:
    """Whether this transaction changed anything yet: what it reads may then not be committed, and must
    not reach a cache."""
    return bool(s.info.get(CHANGED_ROWS)) or bool(s.dirty) or bool(s.new) or bool(s.deleted)


class Store:
    """Owns the engine; hands out sessions to the services, which are the only writers."""

    def __init__(self, config: Config, engine: Engine | None = None) -> None:
        self.config = config
        self.engine = engine or create_db_engine(config)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # threading.local is greenlet-local once gevent has patched the process.
        self._open = threading.local()
        self.publish: Callable[[list[Event]], None] | None = None
        self.caches: list[RowCache[Any, Any]] = []
        # Set by the Hub: whether the bus tells this process of other processes' changes.
        self.bus_is_shared = False
        self._seen_data_version: tuple[int, int] | None = None
        event.listen(self._sessions, "after_flush", self._note_flushed_rows)
        event.listen(self._sessions, "do_orm_execute", self._note_changing_statement)

    def add_cache(self, cache: RowCache[K, V]) -> RowCache[K, V]:
        """A cache whose entries are dropped whenever a session of this store changes their rows."""
        cache.before_read = self._check_other_writers
        self.caches.append(cache)
        return cache

    def _check_other_writers(self) -> None:
        """Before a cache is read: inside a session the session's start has looked already."""
        if not getattr(self._open, "active", False):
            self.forget_if_changed_elsewhere()

    def hear_other_processes(self, bus_is_shared: bool) -> None:
        """Caches need to learn of every change: through the bus, or on SQLite from the database itself."""
        self.bus_is_shared = bus_is_shared
        for cache in self.caches:
            cache.enabled = bus_is_shared or self.dialect == "sqlite"

    def forget_if_changed_elsewhere(self, session: Session | None = None) -> None:
        """On SQLite without a shared bus: data_version moves when another connection (the command line,
        another process) commits; this process's single connection's own commits leave it alone. Runs at
        the start of every session, and before a cache is read outside one (`session` None)."""
        if self.bus_is_shared or not self.caches or self.dialect != "sqlite":
            return
        if session is None:
            with self._only_session(), self.engine.connect() as connection:
                self._compare_data_version(connection)
        else:
            self._compare_data_version(session.connection())

    def _compare_data_version(self, connection: Connection) -> None:
        version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
        seen = (id(connection.connection.dbapi_connection), int(version))
        if seen != self._seen_data_version:
            if self._seen_data_version is not None:
                tables = {table for cache in self.caches for table in cache.tables}
                self.forget_cached([(table, None) for table in tables])
            self._seen_data_version = seen

    def forget_cached(self, rows: list[Row]) -> None:
        for cache in self.caches:
            cache.forget(rows)

    def _tracked(self, table: str) -> bool:
        return any(table in cache.tables for cache in self.caches)

    def _summarised(self, table: str) -> bool:
        return any(table in cache.summarised for cache in self.caches)

    def _note_flushed_rows(self, session: Session, _flush: UOWTransaction) -> None:
        """What the unit of work changed or deleted; a new row matters only to caches that sum a table up."""
        changed = session.info.setdefault(CHANGED_ROWS, set())
        for instance in (*session.dirty, *session.deleted):
            state = inspect(instance)
            table = state.mapper.local_table.name
            if self._tracked(table) and state.identity is not None:
                changed.add((table, ":".join(str(part) for part in state.identity)))
        for instance in session.new:
            table = inspect(instance).mapper.local_table.name
            if self._summarised(table):
                changed.add((table, None))

    def _note_changing_statement(self, execution: ORMExecuteState) -> None:
        """An UPDATE or DELETE statement may change any row of its table."""
        if execution.is_update or execution.is_delete:
            table = execution.statement.table.name  # type: ignore[attr-defined]  # Update and Delete have one
            if self._tracked(table):
                execution.session.info.setdefault(CHANGED_ROWS, set()).add((table, None))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def open_connections(self) -> int:
        """The database connections this process holds, in use or idle in the pool."""
        pool = self.engine.pool
        assert isinstance(pool, QueuePool)  # what create_db_engine gives every engine
        return pool.checkedin() + pool.checkedout()

    @contextmanager
    def _only_session(self) -> Iterator[None]:
        """Refuses a second session inside an open one: with SQLite's single pooled connection the
        inner one would wait forever, so callers must pass the open session down instead."""
        if getattr(self._open, "active", False):
            raise RuntimeError("a store session is already open in this call path; pass it down")
        self._open.active = True
        try:
            yield
        finally:
            self._open.active = False

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._only_session(), _bad_values_refused(), self._sessions() as session:
            self.forget_if_changed_elsewhere(session)
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction committed on a clean exit, so a 2xx answer means the data is stored. Events
        queued on it (hub.events.emit) are published after the commit, and never for a rollback."""
        with self._only_session(), _bad_values_refused():
            with self._sessions.begin() as session:
                pending: list[Event] = session.info.setdefault(PENDING_EVENTS, [])
                changed: set[Row] = session.info.setdefault(CHANGED_ROWS, set())
                self.forget_if_changed_elsewhere(session)
                yield session
        if changed:
            # This process forgets at once; the others when the announcement reaches them.
            self.forget_cached(list(changed))
            pending = [*pending, invalidation(changed)]
        if pending and self.publish is not None:
            self.publish(pending)

    def write_get_or_create(self, work: Callable[[Session], T]) -> T:
        """Runs a find-or-insert transaction; when a concurrent writer inserted the same unique row
        first, runs it once more, and this time it finds that row instead of failing."""
        try:
            with self.write() as s:
                return work(s)
        except IntegrityError:
            logger.info("lost a uniqueness race; reading the winner's row")
            with self.write() as s:
                return work(s)

    def migrate(self) -> None:
        from alembic import command

        with self.engine.begin() as connection:
            alembic_config = _alembic_config()
            alembic_config.attributes["connection"] = connection
            command.upgrade(alembic_config, "head")

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return alembic_config


def check_connection(store: Store) -> None:
    try:
        with store.engine.connect():
            pass
    except Exception as exc:  # the driver's own error types differ per database
        raise AppError(
            "store.sql.connect.app_error",
            f"Unable to connect to the {store.dialect} database: {exc}",
            500,
        ) from None
