"""Which link and image URLs a rendered message may carry (Mattermost's isUrlSafe, as an allowlist)."""

from __future__ import annotations

import re

_SAFE_SCHEME = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
# Only the file API's own image routes may load as <img>: anything else the browser would fetch with
# the viewer's cookies or leak the viewer's address to another host.
_FILE_IMAGE = re.compile(r"/api/v4/files/[A-Za-z0-9]{26}(?:/(?:preview|thumbnail))?")


def is_safe_url(url: str) -> bool:
    """http, https, mailto, or a path on this site. The URL is expected already normalised
    (percent-encoded), so control characters and spaces cannot hide a scheme."""
    if url.startswith("/"):
        # Browsers read "//host" and "/\host" as another host.
        return not url.startswith(("//", "/\\"))
    return _SAFE_SCHEME.match(url) is not None


def is_relative(url: str) -> bool:
    return url.startswith("/")


def is_file_image(url: str) -> bool:
    return _FILE_IMAGE.fullmatch(url) is not None
