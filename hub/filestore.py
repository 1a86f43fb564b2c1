"""File storage on the local disk under FileSettings.Directory, addressed by relative paths.

Paths are the ones stored in FileInfo rows (Mattermost's layout), so a data directory can be
moved between servers together with the database.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, BinaryIO

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


class FileTooLarge(Exception):
    """The stream held more bytes than the caller allowed; nothing was kept."""


class UnsafePath(ValueError):
    """A relative path that would leave the storage directory."""


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _resolve(self, relative: str) -> Path:
        root = self.root.resolve()
        target = (root / relative).resolve()
        if not relative or target == root or root not in target.parents:
            raise UnsafePath(relative)
        return target

    def write_stream(self, relative: str, stream: IO[bytes], max_bytes: int) -> int:
        """Copies the stream to the path and answers its size; the file appears whole or not at all."""
        target = self._resolve(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            written = 0
            with os.fdopen(descriptor, "wb") as out:
                while chunk := stream.read(_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise FileTooLarge(relative)
                    out.write(chunk)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return written

    def write_bytes(self, relative: str, data: bytes) -> None:
        target = self._resolve(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".write-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, relative: str) -> tuple[BinaryIO, int]:
        """The open file and its size; raises FileNotFoundError when the file is gone."""
        stream = self._resolve(relative).open("rb")
        return stream, os.fstat(stream.fileno()).st_size

    def remove_tree(self, relative: str) -> None:
        """Removes a directory and everything below it; a missing one is not an error."""
        try:
            shutil.rmtree(self._resolve(relative))
        except FileNotFoundError:
            pass
        except OSError:
            logger.exception("could not remove %s from the file store", relative)
