"""Gunicorn settings for the web process, read from config.json (and MM_* overrides).

`python -m hub serve` runs `gunicorn --config server/gunicorn_conf.py hubbub.wsgi:app`.
The master imports nothing but hub.config: the gevent worker monkey-patches as it starts, before it
loads the app, and psycopg and requests must only ever be imported after that.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub import config as hub_config  # noqa: E402  (needs ROOT on sys.path)

# psycopg picks its wait function when first imported; should anything import it before gevent
# patches `select`, it would pick a C loop that blocks every greenlet of the worker. wait_poll
# calls select.poll, which gevent makes cooperative.
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")

_config = hub_config.load()
_host, _port = _config.listen_host_port

pythonpath = str(ROOT)
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]
worker_class = "gevent"
# SQLite has one writer; a second process would only queue on its file lock.
workers = (
    1 if _config["SqlSettings"]["DriverName"] == "sqlite3" else _config["ServiceSettings"]["WebserverWorkers"]
)
graceful_timeout = 5
# An open WebSocket holds its greenlet (and a connection slot) for as long as it lives: at gunicorn's
# default of 1000 per worker the 1001st client would wait in the accept queue however idle the others
# are, and a limit equal to the sockets a worker holds leaves no slot for REST calls. A slot costs
# nothing until a connection takes it.
worker_connections = 50_000


def _raise_descriptor_limit() -> None:
    """Each socket is a file descriptor; a soft limit of 1024 (the usual default) would refuse the
    1021st client. The hard limit is what the administrator allows."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


_raise_descriptor_limit()
loglevel = {"WARN": "warning"}.get(
    _config["LogSettings"]["ConsoleLevel"].upper(), _config["LogSettings"]["ConsoleLevel"].lower()
)
proc_name = "hubbub"
# Its default path is one per user: two instances on a machine (tests, benchmarks) would share it.
control_socket_disable = True


def _close_sockets(worker) -> None:
    """Every socket of this worker gets 1001 (going away), so that clients reconnect elsewhere at once."""
    worker.wsgi.extensions["sockets"].shutdown()


def post_worker_init(worker) -> None:
    # A graceful stop (SIGTERM) only stops accepting and then waits graceful_timeout for requests to end;
    # a socket never ends by itself, so gunicorn would cut it without a close frame. worker_exit runs
    # after that cut: too late.
    import signal

    import gevent

    stop_accepting = worker.handle_exit

    def exit_closing_sockets(sig, frame) -> None:
        stop_accepting(sig, frame)
        gevent.spawn(_close_sockets, worker)

    signal.signal(signal.SIGTERM, exit_closing_sockets)
    _answer_protocol_errors_as_app_errors()
    _start_worker_jobs(worker)


def _answer_protocol_errors_as_app_errors() -> None:
    """Gunicorn refuses an over-long request line (414), over-large headers (431) and malformed framing
    itself, with an HTML page; every gunicorn worker writes those through util.write_error, so
    replacing that one function makes them AppError JSON too."""
    from gunicorn import util  # type: ignore[import-untyped]  # gunicorn ships no type hints

    from server.errors import protocol_error_response

    def write_app_error(sock, status_int, reason, mesg) -> None:
        util.write_nonblock(sock, protocol_error_response(int(status_int), reason, mesg))

    util.write_error = write_app_error


def _start_worker_jobs(worker) -> None:
    """Every web worker runs the worker's jobs in greenlets (the delivery loop, the extensions' jobs);
    a job that must be active once holds a lease."""
    import threading

    import gevent

    from hub.worker import start_jobs

    stop = threading.Event()  # patched by gevent: waiting on it yields to the other greenlets
    worker.wsgi.extensions["jobs_stop"] = stop
    start_jobs(worker.wsgi.extensions["hub"], stop, gevent.spawn)


def worker_exit(_server, worker) -> None:
    stop = getattr(worker, "wsgi", None) and worker.wsgi.extensions.get("jobs_stop")
    if stop is not None:
        stop.set()


def worker_int(worker) -> None:
    """A quick stop (SIGINT, SIGQUIT: Ctrl-C on the master)."""
    _close_sockets(worker)
