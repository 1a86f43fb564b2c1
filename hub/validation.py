"""Field rules shared by the services, with Mattermost's limits and error ids."""

from __future__ import annotations

import re
from typing import Any

from hub.errors import AppError, invalid_param
from hub.ids import is_valid_id

RESERVED_USERNAMES = {"all", "channel", "here", "matterbot", "system", "hubbub"}
_USERNAME = re.compile(r"^[a-z][a-z0-9.\-_]{2,21}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


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
    value = require_str("username", value, required=True).lower()
    if not _USERNAME.match(value) or value in RESERVED_USERNAMES:
        raise AppError(
            "model.user.is_valid.username.app_error",
            "Username must begin with a letter, and contain between 3 to 22 lowercase characters "
            "made up of numbers, letters, and the symbols '.', '-', and '_'.",
            400,
            f"username={value!r}",
        )
    return value


def email(value: Any) -> str:
    value = require_str("email", value, required=True, max_len=128).strip().lower()
    if not _EMAIL.match(value):
        raise AppError("model.user.is_valid.email.app_error", "Invalid email.", 400, f"email={value!r}")
    return value


def password(value: Any, settings: dict) -> str:
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
    value = require_str("name", value, required=True)
    if len(value) < 2 or len(value) > max_len or not _NAME.match(value) or "__" in value:
        raise AppError(
            f"model.{kind}.is_valid.name.app_error",
            f"Invalid {kind} name: use 2 to {max_len} lowercase letters, numbers, '-' or '_'.",
            400,
            f"name={value!r}",
        )
    return value


def paging(page: Any, per_page: Any, *, default: int = 60, maximum: int = 200) -> tuple[int, int]:
    """Mattermost's page/per_page query parameters; per_page is capped, not refused."""
    try:
        page_n = int(page) if page not in (None, "") else 0
        per_page_n = int(per_page) if per_page not in (None, "") else default
    except (TypeError, ValueError):
        raise invalid_param("page", "page and per_page must be whole numbers") from None
    if page_n < 0 or per_page_n < 0:
        raise invalid_param("page", "page and per_page must not be negative")
    return page_n, min(per_page_n, maximum)
