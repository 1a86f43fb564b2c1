"""The server's recent log lines, for GET /api/v4/logs: a bounded ring buffer in each process.

Mattermost reads its log file; Hubbub keeps the last LINES records each process logged, as lines of
Mattermost's JSON log format. With several web workers or nodes each answers with its own lines.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
from datetime import UTC, datetime

LINES = 10_000
# Python's level names as Mattermost's logger writes them.
_LEVELS = {"WARNING": "warn", "CRITICAL": "fatal"}


class LogBuffer(logging.Handler):
    def __init__(self, capacity: int = LINES) -> None:
        super().__init__()
        self._lines: collections.deque[str] = collections.deque(maxlen=capacity)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            moment = datetime.fromtimestamp(record.created, UTC)
            entry = {
                "timestamp": moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} Z",
                "level": _LEVELS.get(record.levelname, record.levelname.lower()),
                "msg": record.getMessage(),
                "caller": f"{record.filename}:{record.lineno}",
                "logger": record.name,
            }
            if record.exc_info:
                entry["error"] = logging.Formatter().formatException(record.exc_info)
            # ASCII escapes keep any character a message holds (a lone surrogate too) valid in the answer.
            line = json.dumps(entry, ensure_ascii=True)
        except Exception:  # a record that cannot be formatted must not break the code that logged it
            self.handleError(record)
            return
        with self._guard:
            self._lines.append(line)

    def lines(self, page: int, per_page: int) -> list[str]:
        """Page `page` of `per_page` lines counted back from the newest, oldest first within the page."""
        with self._guard:
            lines = list(self._lines)
        end = len(lines) - page * per_page
        return lines[max(0, end - per_page) : max(0, end)]


BUFFER = LogBuffer()


def install(level: str) -> None:
    """Attaches the process's buffer to the root logger (once) and sets the level it keeps."""
    BUFFER.setLevel(level.upper())
    root = logging.getLogger()
    if BUFFER not in root.handlers:
        root.addHandler(BUFFER)
