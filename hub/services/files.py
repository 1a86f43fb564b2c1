"""Uploaded files: storage in Mattermost's layout, image thumbnails and previews, and read access."""

from __future__ import annotations

import base64
import enum
import io
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, BinaryIO, TypeVar

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from hub import models, offload, validation
from hub.errors import AppError, forbidden, invalid_param
from hub.filestore import FileTooLarge, LocalFileStore, UnsafePath
from hub.ids import new_id, now_ms
from hub.permissions import Actor, deny_if_archived, require_channel_member, require_read_channel

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)

Rendered = TypeVar("Rendered")
THUMBNAIL_SIZE = (120, 100)
PREVIEW_MAX_WIDTH = 1920
MINI_PREVIEW_SIZE = (16, 16)
JPEG_QUALITY = 90
# The formats Mattermost's own image decoder reads; anything else is kept as a plain file.
DECODED_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP")
# Uploads through the API belong to no team in Mattermost's storage layout.
UPLOAD_TEAM_SEGMENT = "noteam"
# Leaves room for the "_preview.jpg" beside the file within the usual 255-byte file name limit.
MAX_NAME_BYTES = 240
_PATH_SEPARATORS = re.compile(r"[\\/]")


class FileVariant(enum.Enum):
    ORIGINAL = "original"
    THUMBNAIL = "thumbnail"
    PREVIEW = "preview"


_MISSING_DERIVATIVE = {
    FileVariant.THUMBNAIL: (
        "api.file.get_file_thumbnail.no_thumbnail.app_error",
        "File doesn't have a thumbnail image.",
    ),
    FileVariant.PREVIEW: (
        "api.file.get_file_preview.no_preview.app_error",
        "File doesn't have a preview image.",
    ),
}


@dataclass(frozen=True)
class Upload:
    name: str
    content: IO[bytes]


@dataclass(frozen=True)
class Download:
    """An open file to send; the receiver closes `content`."""

    name: str
    mime_type: str
    size: int
    update_at: int
    content: BinaryIO


@dataclass(frozen=True)
class _RenderedImage:
    width: int
    height: int
    thumbnail: bytes
    preview: bytes
    mini_preview: str


class ImageTooLarge(Exception):
    """More pixels than FileSettings.MaxImageResolution allows; the message says how many."""


def file_not_found(detail: str = "") -> AppError:
    return AppError("app.file_info.get.app_error", "Unable to get the file info.", 404, detail)


def _too_large(name: str, limit: int) -> AppError:
    return AppError(
        "api.file.upload_file.too_large_detailed.app_error",
        f"Unable to upload file {name}. It exceeds the maximum allowed {limit} bytes.",
        413,
        f"limit={limit}",
    )


def _image_too_large(name: str, limit: int, detail: str) -> AppError:
    return AppError(
        "api.file.upload_file.large_image_detailed.app_error",
        f"{name} dimensions exceed the limit of {limit} pixels.",
        400,
        detail,
    )


def stored_name(raw: str) -> str:
    """The last path part without control characters, shortened to fit the disk's name limit."""
    name = "".join(ch for ch in _PATH_SEPARATORS.split(raw)[-1] if ch.isprintable()).strip()
    if name in ("", ".", ".."):
        raise invalid_param("filename", f"unusable file name {raw!r}")
    if len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = MAX_NAME_BYTES - len(suffix.encode())
    return stem.encode()[:budget].decode(errors="ignore") + suffix


def _extension(name: str) -> str:
    """Lowercase, without the dot, as Mattermost's clients expect."""
    _, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def _mime_type(extension: str) -> str:
    if not extension:
        return ""
    return mimetypes.guess_type(f"file.{extension}", strict=False)[0] or ""


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: transparent parts become white rather than black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _render(image: Image.Image) -> _RenderedImage:
    upright = _flatten(ImageOps.exif_transpose(image))
    thumbnail = upright.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    preview = upright
    if upright.width > PREVIEW_MAX_WIDTH:
        height = max(1, round(upright.height * PREVIEW_MAX_WIDTH / upright.width))
        preview = upright.resize((PREVIEW_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    mini = upright.resize(MINI_PREVIEW_SIZE, Image.Resampling.BICUBIC)
    return _RenderedImage(
        width=upright.width,
        height=upright.height,
        thumbnail=_jpeg(thumbnail),
        preview=_jpeg(preview),
        # Mattermost sends these bytes base64-encoded, as Go encodes a []byte in JSON.
        mini_preview=base64.b64encode(_jpeg(mini)).decode(),
    )


class FileService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.storage = LocalFileStore(hub.data_dir)
        decoders = hub.config["FileSettings"]["MaxImageDecoderConcurrency"]
        # Decoding and scaling take seconds for large images: in these threads they leave the event loop
        # free, and the pool's size bounds the memory that decoded images take at once.
        self.decoders = offload.Pool(offload.cpu_count() if decoders == -1 else decoders)

    # ---- uploads -------------------------------------------------------------------
    def upload(self, actor: Actor, channel_id: str, uploads: list[Upload]) -> list[models.FileInfo]:
        """Stores every file, then their rows in one transaction; on any failure nothing is kept."""
        settings = self.hub.config["FileSettings"]
        if not settings["EnableFileAttachments"]:
            raise AppError(
                "api.file.attachments.disabled.app_error",
                "File attachments have been disabled on this server.",
                501,
            )
        if not uploads:
            raise invalid_param("files", "the request holds no files")
        names = [stored_name(upload.name) for upload in uploads]
        with self.hub.store.read() as s:
            channel = self.hub.channels.load(s, channel_id)
            require_channel_member(s, actor, channel)
            deny_if_archived(channel)
        now = now_ms()
        day = datetime.fromtimestamp(now / 1000, UTC).strftime("%Y%m%d")
        directories: list[str] = []
        try:
            infos = []
            for upload, name in zip(uploads, names, strict=True):
                file_id = new_id()
                directory = (
                    f"{day}/teams/{UPLOAD_TEAM_SEGMENT}/channels/{channel.id}/users/{actor.user_id}/{file_id}"
                )
                directories.append(directory)
                infos.append(
                    self._store(file_id, directory, name, upload.content, actor.user_id, channel.id, now)
                )
            with self.hub.store.write() as s:
                s.add_all(infos)
        except BaseException:
            for directory in directories:
                self.storage.remove_tree(directory)
            raise
        return infos

    def _store(
        self,
        file_id: str,
        directory: str,
        name: str,
        content: IO[bytes],
        user_id: str,
        channel_id: str,
        now: int,
    ) -> models.FileInfo:
        limit = self.hub.config["FileSettings"]["MaxFileSize"]
        path = f"{directory}/{name}"
        try:
            size = self.storage.write_stream(path, content, limit)
        except FileTooLarge:
            raise _too_large(name, limit) from None
        except OSError as exc:
            logger.exception("could not store upload %s", path)
            raise AppError(
                "api.file.write_file.app_error",
                "Encountered an error writing the file.",
                500,
                type(exc).__name__,
            ) from None
        extension = _extension(name)
        info = models.FileInfo(
            id=file_id,
            user_id=user_id,
            post_id="",
            channel_id=channel_id,
            create_at=now,
            update_at=now,
            delete_at=0,
            path=path,
            name=name,
            extension=extension,
            size=size,
            mime_type=_mime_type(extension),
            width=0,
            height=0,
            has_preview_image=False,
            mini_preview=None,
        )
        if info.mime_type.startswith("image/"):
            self._add_image_derivatives(info, directory)
        return info

    def _add_image_derivatives(self, info: models.FileInfo, directory: str) -> None:
        rendered = self._render_stored(info.path, info.name)
        if rendered is None:
            return
        stem = info.name.rpartition(".")[0]
        info.thumbnail_path = f"{directory}/{stem}_thumb.jpg"
        info.preview_path = f"{directory}/{stem}_preview.jpg"
        self.storage.write_bytes(info.thumbnail_path, rendered.thumbnail)
        self.storage.write_bytes(info.preview_path, rendered.preview)
        info.width, info.height = rendered.width, rendered.height
        info.mini_preview = rendered.mini_preview
        # Like Mattermost, GIFs are shown as themselves (they may be animated), not by their preview.
        info.has_preview_image = info.mime_type != "image/gif"

    def _render_stored(self, path: str, name: str) -> _RenderedImage | None:
        """None when the bytes are no image we decode: the upload is then kept as a plain file."""
        stored, _ = self.storage.open(path)
        with stored:
            try:
                rendered = self.decode(stored, _render)
            except ImageTooLarge as refused:
                limit = self.hub.config["FileSettings"]["MaxImageResolution"]
                raise _image_too_large(name, limit, str(refused)) from None
        if rendered is None:
            logger.info("%s is not a decodable image; stored as a plain file", path)
        return rendered

    def decode(self, stream: IO[bytes], render: Callable[[Image.Image], Rendered]) -> Rendered | None:
        """render(image) of the image in `stream`, in a decoder thread; None when the bytes are no image we
        decode. An image over FileSettings.MaxImageResolution raises ImageTooLarge from its header, before
        anything is decoded."""
        limit = self.hub.config["FileSettings"]["MaxImageResolution"]
        try:
            image = Image.open(stream, formats=DECODED_FORMATS)
        except Image.DecompressionBombError:
            raise ImageTooLarge("too large for the image decoder") from None
        except Exception:  # decoders raise many types on hostile input; all mean "not an image"
            return None
        with image:
            if image.width * image.height > limit:
                raise ImageTooLarge(f"{image.width} by {image.height} pixels")
            try:
                return self.decoders.run(render, image)
            except Exception:  # a truncated or corrupt body fails only while decoding
                logger.info("an image did not decode", exc_info=True)
                return None

    # ---- reading -------------------------------------------------------------------
    def get_info(self, actor: Actor, file_id: str) -> models.FileInfo:
        with self.hub.store.read() as s:
            return self._load_readable(s, actor, file_id)

    def open(self, actor: Actor, file_id: str, variant: FileVariant) -> Download:
        info = self.get_info(actor, file_id)
        if variant is FileVariant.ORIGINAL:
            path, mime_type = info.path, info.mime_type
        else:
            path, mime_type = getattr(info, f"{variant.value}_path"), "image/jpeg"
            if not path:
                error_id, message = _MISSING_DERIVATIVE[variant]
                raise AppError(error_id, message, 404, f"file_id={info.id}")
        try:
            content, size = self.storage.open(path)
        except (OSError, UnsafePath):
            logger.warning("file %s is missing from the file store at %s", info.id, path)
            raise AppError(
                "api.file.file_reader.app_error", "Unable to read the file.", 404, f"file_id={info.id}"
            ) from None
        return Download(
            name=info.name, mime_type=mime_type, size=size, update_at=info.update_at, content=content
        )

    def _load_readable(self, s: Session, actor: Actor, file_id: str) -> models.FileInfo:
        """The uploader always; others through the channel of the post the file is attached to."""
        validation.require_id("file_id", file_id)
        info = s.get(models.FileInfo, file_id)
        if info is None or info.delete_at:
            raise file_not_found(f"file_id={file_id}")
        if info.user_id == actor.user_id or actor.is_system_admin:
            return info
        if not info.post_id:
            raise forbidden(f"file {file_id} is not attached to a post")
        channel = s.get(models.Channel, info.channel_id)
        if channel is None:
            raise forbidden(f"file {file_id} has no channel")
        require_read_channel(s, actor, channel)
        return info
