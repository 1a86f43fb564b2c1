"""Field rules shared by the services, with Mattermost's limits and error ids."""

from __future__ import annotations

import re
from typing import Any

from hub import jsonsafe
from hub.errors import AppError, invalid_param
from hub.ids import is_valid_id

RESERVED_USERNAMES = {"all", "channel", "here", "matterbot", "system", "hubbub"}
# Matched whole (re.fullmatch): with re.match and "$" a trailing newline would still pass.
_USERNAME = re.compile(r"[a-z][a-z0-9.\-_]{2,21}")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]*")
# No name or text field may hold C0 and C1 controls (Unicode category Cc), the line and paragraph
# separators, or the bidirectional embeddings, overrides and isolates that reorder the text after them
# (so a name can read as another); multi-line text (headers, purposes, descriptions) keeps \t and \n.
_ALWAYS_REFUSED = r"\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL_IN_LINE = re.compile(rf"[\x00-\x1f{_ALWAYS_REFUSED}]")
_CONTROL_IN_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f{_ALWAYS_REFUSED}]")


def require_id(name: str, value: Any) -> str:
    if not is_valid_id(value):
        raise invalid_param(name, f"{name} must be a 26-character id")
    return value


def require_str(name: str, value: Any, *, max_len: int | None = None, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise invalid_param(name, f"{name} must be a string")
    if required and not value.strip():
        raise invalid_param(name, f"{name} is required")
    if max_len is not None and len(value) > max_len:
        raise invalid_param(name, f"{name} is longer than {max_len} characters")
    return value


def refuse_control_characters(name: str, value: str, *, multiline: bool = False) -> str:
    """The one check of names and texts people read: no control characters (see _ALWAYS_REFUSED)."""
    found = (_CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE).search(value)
    if found:
        raise invalid_param(name, f"{name} must not contain the control character U+{ord(found.group()):04X}")
    return value


def text(
    name: str, value: Any, *, max_len: int | None = None, required: bool = False, multiline: bool = False
) -> str:
    """A name, display name or description: require_str's rules and refuse_control_characters'."""
    return refuse_control_characters(
        name, require_str(name, value, max_len=max_len, required=required), multiline=multiline
    )


def string_map(name: str, value: Any) -> dict[str, str]:
    """Mattermost's StringMap (a user's props, notify_props and timezone, a member's notify_props): Go
    clients decode these as map[string]string, so one value of another type breaks every later answer."""
    if not isinstance(value, dict):
        raise invalid_param(name, f"{name} must be an object")
    wrong = sorted(key for key, item in value.items() if not isinstance(item, str))
    if wrong:
        raise invalid_param(name, f"{name} must be an object of strings; not strings: {', '.join(wrong)}")
    return value


def limited_str(name: str, value: Any, limit: int, error_id: str) -> str:
    """An optional text field of a model with its own error id for a value too long (None reads as "")."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        detail = f"{name} must be a string of at most {limit} characters"
        raise AppError(error_id, f"Invalid {name.replace('_', ' ')}.", 400, detail)
    return value


def require_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise invalid_param(name, f"{name} must be true or false")
    return value


def username(value: Any) -> str:
    name = require_str("username", value, required=True).lower()
    if not _USERNAME.fullmatch(name) or name in RESERVED_USERNAMES:
        raise AppError(
            "model.user.is_valid.username.app_error",
            "Username must begin with a letter, and contain between 3 to 22 lowercase characters "
            "made up of numbers, letters, and the symbols '.', '-', and '_'.",
            400,
            f"username={name!r}",
        )
    return name


def email(value: Any) -> str:
    address = require_str("email", value, required=True, max_len=128).strip().lower()
    if not _EMAIL.fullmatch(address) or _CONTROL_IN_LINE.search(address):
        raise AppError("model.user.is_valid.email.app_error", "Invalid email.", 400, f"email={address!r}")
    return address


def password(value: Any, settings: dict[str, Any]) -> str:
    if not isinstance(value, str) or not value:
        raise invalid_param("password", "password is required")
    problems = []
    if len(value) < settings["MinimumLength"]:
        problems.append(f"at least {settings['MinimumLength']} characters")
    if len(value) > 72:
        problems.append("at most 72 characters")
    if settings["Lowercase"] and not re.search(r"[a-z]", value):
        problems.append("a lowercase letter")
    if settings["Uppercase"] and not re.search(r"[A-Z]", value):
        problems.append("an uppercase letter")
    if settings["Number"] and not re.search(r"[0-9]", value):
        problems.append("a number")
    if settings["Symbol"] and not re.search(r"[^A-Za-z0-9]", value):
        problems.append("a symbol")
    if problems:
        raise AppError(
            "model.user.is_valid.pwd.app_error",
            "Your password must contain " + ", ".join(problems) + ".",
            400,
        )
    return value


def handle_name(kind: str, value: Any, *, max_len: int = 64) -> str:
    """Team and channel URL names: lowercase letters, digits, '-' and '_'."""
    name = require_str("name", value, required=True)
    if len(name) < 2 or len(name) > max_len or not _NAME.fullmatch(name) or "__" in name:
        raise AppError(
            f"model.{kind}.is_valid.name.app_error",
            f"Invalid {kind} name: use 2 to {max_len} lowercase letters, numbers, '-' or '_'.",
            400,
            f"name={name!r}",
        )
    return name


def whole_number(name: str, value: Any, *, default: int = 0, maximum: int = jsonsafe.INT64_MAX) -> int:
    """A non-negative whole number from a query parameter (or JSON), at most `maximum`: numbers past what
    the database's BIGINT holds would otherwise fail deep inside a query."""
    if value in (None, ""):
        return default
    digits = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    # The length check comes first: int() of a long digit string costs quadratic time.
    if not isinstance(digits, str) or not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise invalid_param(name, f"{name} must be a whole number from 0 to {maximum}")
    number = int(digits)
    if number > maximum:
        raise invalid_param(name, f"{name} must be a whole number from 0 to {maximum}")
    return number


def paging(
    page: Any, per_page: Any, *, default: int = 60, maximum: int = 200, per_page_name: str = "per_page"
) -> tuple[int, int]:
    """Mattermost's page/per_page query parameters; per_page is capped, not refused."""
    per_page_n = min(whole_number(per_page_name, per_page, default=default), maximum)
    # The offset page * per_page must fit in a BIGINT too.
    page_n = whole_number("page", page, maximum=jsonsafe.INT64_MAX // max(per_page_n, 1))
    return page_n, per_page_n
