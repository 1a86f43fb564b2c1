"""The last gate: nh3 (ammonia) with an allowlist of exactly what the renderer emits.

The parser already refuses raw HTML, so this only matters if a bug upstream lets markup through; it
is written as if one did. No svg, math, style, iframe, textarea, noscript, form or embedding tags
(ammonia's mutation-XSS history is in raw-text and foreign-content tags), no event or style
attributes, and href/src limited to http, https, mailto and site paths.
"""

from __future__ import annotations

from functools import cache

import nh3

from .highlight import language_classes, token_classes
from .renderer import IMAGE_LINK_CLASS
from .urls import is_file_image, is_safe_url

LINK_REL = "noopener noreferrer nofollow"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Dropped with their content rather than unwrapped: their text is script, style or foreign markup.
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "svg",
        "math",
        "iframe",
        "noscript",
        "textarea",
        "template",
        "object",
        "embed",
        "form",
        "xmp",
        "noembed",
        "noframes",
        "title",
        "select",
    }
)
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "span": {"data-mention", "data-channel-mention", "data-hashtag", "title"},
}
_ALIGNMENT_CLASSES = {"align-left", "align-center", "align-right"}
_FORMATTING_CLASSES = {"mention", "mention-special", "channel-mention", "emoji", "hashtag"}


def _site_path_only(url: str) -> str | None:
    # ammonia hands every URL without a scheme here: "//host" and "/\host" name another host.
    return url if is_safe_url(url) and url.startswith("/") else None


def _only_file_images(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_file_image(value):
        return None
    return value


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={"a": {"target": {"_blank"}}},
        allowed_classes={
            "a": {IMAGE_LINK_CLASS},
            "pre": {"code"},
            "code": set(language_classes()),
            "span": _FORMATTING_CLASSES | set(token_classes()),
            "th": set(_ALIGNMENT_CLASSES),
            "td": set(_ALIGNMENT_CLASSES),
        },
        url_schemes=set(URL_SCHEMES),
        url_relative=_site_path_only,
        attribute_filter=_only_file_images,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def sanitize(html: str) -> str:
    return _cleaner().clean(html)
