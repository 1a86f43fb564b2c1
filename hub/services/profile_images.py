"""Profile images: the one a user uploaded (users/{id}/profile.png in the file store, 128 pixels square,
as Mattermost keeps it) or a generated default, the user's initials on a colour their id picks."""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont, ImageOps

from hub import models
from hub.errors import AppError
from hub.filestore import UnsafePath
from hub.ids import now_ms
from hub.permissions import Actor, require_self_or_admin
from hub.services.files import ImageTooLarge

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)

SIZE = 128
# Mattermost's createProfileImage palette, indexed by the 32-bit FNV-1a hash of the user id.
_COLOURS = (
    (197, 8, 126), (227, 207, 18), (28, 181, 105), (35, 188, 224), (116, 49, 196), (197, 8, 126),
    (197, 19, 19), (250, 134, 6), (227, 207, 18), (123, 201, 71), (28, 181, 105), (35, 188, 224),
    (116, 49, 196), (197, 8, 126), (197, 19, 19), (250, 134, 6), (227, 207, 18), (123, 201, 71),
    (28, 181, 105), (35, 188, 224), (116, 49, 196), (197, 8, 126), (197, 19, 19), (250, 134, 6),
    (227, 207, 18), (123, 201, 71),
)  # fmt: skip


@dataclass(frozen=True)
class ProfileImage:
    png: bytes
    # An uploaded image (last_picture_update > 0) rather than the generated default.
    uploaded: bool
    last_picture_update: int


def image_path(user_id: str) -> str:
    return f"users/{user_id}/profile.png"


def _fnv1a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def initials(user: models.User) -> str:
    """The first letters of the first and last names, or the username's first letter."""
    letters = "".join(name[0] for name in (user.first_name.strip(), user.last_name.strip()) if name)
    return (letters or user.username[:1]).upper()


@functools.lru_cache(maxsize=1024)
def default_png(user_id: str, letters: str) -> bytes:
    """The generated image of a user who uploaded none; kept for the process's next requests."""
    image = Image.new("RGB", (SIZE, SIZE), _COLOURS[_fnv1a(user_id) % len(_COLOURS)])
    font = ImageFont.load_default(size=SIZE // 2 if len(letters) < 2 else SIZE * 2 // 5)
    ImageDraw.Draw(image).text((SIZE / 2, SIZE / 2), letters, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _fitted_png(image: Image.Image) -> bytes:
    """Upright, cropped to the centre and scaled to SIZE square (Mattermost's FillCenter), as PNG."""
    fitted = ImageOps.fit(
        ImageOps.exif_transpose(image).convert("RGBA"), (SIZE, SIZE), Image.Resampling.LANCZOS
    )
    out = io.BytesIO()
    fitted.save(out, format="PNG")
    return out.getvalue()


class ProfileImageService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def get(self, user_id: str) -> ProfileImage:
        """GET /users/{id}/image: the uploaded image, or the default when there is none (or it is gone)."""
        user = self.hub.users.get(user_id)
        if user.last_picture_update > 0:
            try:
                stored, _ = self.hub.files.storage.open(image_path(user.id))
                with stored:
                    return ProfileImage(stored.read(), True, user.last_picture_update)
            except (OSError, UnsafePath):
                logger.warning("the profile image of user %s is missing from the file store", user.id)
        return ProfileImage(self._default(user), False, user.last_picture_update)

    def get_default(self, user_id: str) -> bytes:
        """GET /users/{id}/image/default."""
        return self._default(self.hub.users.get(user_id))

    def _default(self, user: models.User) -> bytes:
        return self.hub.files.decoders.run(default_png, user.id, initials(user))

    def upload(self, actor: Actor, user_id: str, read_upload: Callable[[], IO[bytes]]) -> None:
        """POST /users/{id}/image: the user themself or a system admin; the upload (read only once they are
        known to be allowed) is checked (size, pixels, decodable) and stored 128 pixels square, then
        last_picture_update moves on."""
        require_self_or_admin(actor, user_id)
        self.hub.users.get(user_id)
        content = read_upload()
        limit = self.hub.config["FileSettings"]["MaxFileSize"]
        if content.seek(0, io.SEEK_END) > limit:
            raise AppError(
                "api.user.upload_profile_user.too_large.app_error",
                "Unable to upload profile image. File is too large.",
                413,
                f"limit={limit}",
            )
        content.seek(0)
        try:
            png = self.hub.files.decode(content, _fitted_png)
        except ImageTooLarge as refused:
            raise AppError(
                "api.user.upload_profile_user.check_image_limits.app_error",
                "Image limits check failed. Resolution is too high.",
                400,
                str(refused),
            ) from None
        if png is None:
            raise AppError(
                "api.user.upload_profile_user.decode.app_error", "Could not decode profile image.", 400
            )
        self.hub.files.storage.write_bytes(image_path(user_id), png)
        self._changed(user_id, now_ms())

    def reset(self, actor: Actor, user_id: str) -> None:
        """DELETE /users/{id}/image: back to the default image."""
        require_self_or_admin(actor, user_id)
        self.hub.users.get(user_id)
        self.hub.files.storage.remove_tree(f"users/{user_id}")
        self._changed(user_id, 0)

    def _changed(self, user_id: str, last_picture_update: int) -> None:
        with self.hub.store.write() as s:
            user = self.hub.users.load(s, user_id)
            user.last_picture_update = last_picture_update
            user.update_at = now_ms()
            self.hub.users.announce_updated(s, user)
