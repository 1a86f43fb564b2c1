"""Mattermost's interactive dialogs: the checks on a dialog an integration opens (Dialog.IsValid) and,
which Mattermost leaves to its clients, the checks on what a user submits."""

from __future__ import annotations

import re
from typing import Any

from hub.errors import AppError

TITLE_MAX_LENGTH = 24
ELEMENT_DISPLAY_NAME_MAX_LENGTH = 24
ELEMENT_NAME_MAX_LENGTH = 300
ELEMENT_HELP_TEXT_MAX_LENGTH = 150
TEXT_MAX_LENGTH = 150
TEXTAREA_MAX_LENGTH = 3000
SELECT_MAX_LENGTH = 3000
BOOL_PLACEHOLDER_MAX_LENGTH = 150
TEXT_SUBTYPES = frozenset({"", "text", "email", "number", "tel", "url", "password"})
SELECT_DATA_SOURCES = frozenset({"", "users", "channels"})
ELEMENT_TYPES = ("text", "textarea", "select", "bool", "radio")
# How long Default and Placeholder may be, by element type.
_VALUE_LIMITS = {"text": TEXT_MAX_LENGTH, "textarea": TEXTAREA_MAX_LENGTH, "select": SELECT_MAX_LENGTH}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

REQUIRED = "This field is required."


def invalid_dialog(detail: str) -> AppError:
    return AppError("api.dialog.open.invalid_dialog.app_error", "The dialog is not valid.", 400, detail)


def _text(where: str, value: Any, limit: int | None = None, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_dialog(f"{where} must be a string")
    if required and not value:
        raise invalid_dialog(f"{where} must not be empty")
    if limit is not None and len(value) > limit:
        raise invalid_dialog(f"{where} is longer than {limit} characters")
    return value


def _whole(where: str, value: Any) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_dialog(f"{where} must be a whole number")
    return value


def _options(where: str, value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_dialog(f"{where}.options must be a list")
    options = []
    for index, option in enumerate(value):
        if not isinstance(option, dict):
            raise invalid_dialog(f"{where}.options[{index}] must be an object")
        options.append(
            {
                "text": _text(f"{where}.options[{index}].text", option.get("text")),
                "value": _text(f"{where}.options[{index}].value", option.get("value")),
            }
        )
    return options


def check_dialog(dialog: Any) -> dict[str, Any]:
    """The dialog of POST /actions/dialogs/open, checked by Mattermost's rules and normalised."""
    if not isinstance(dialog, dict):
        raise invalid_dialog("dialog must be an object")
    title = _text("dialog.title", dialog.get("title"), TITLE_MAX_LENGTH, required=True)
    elements = dialog.get("elements") or []
    if not isinstance(elements, list):
        raise invalid_dialog("dialog.elements must be a list")
    checked = [_check_element(index, element) for index, element in enumerate(elements)]
    names = [e["name"] for e in checked]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise invalid_dialog(f"duplicate dialog elements {duplicates}")
    notify_on_cancel = dialog.get("notify_on_cancel", False)
    if not isinstance(notify_on_cancel, bool):
        raise invalid_dialog("dialog.notify_on_cancel must be true or false")
    icon_url = _text("dialog.icon_url", dialog.get("icon_url"), 1024)
    if icon_url and not icon_url.startswith(("http://", "https://")):
        raise invalid_dialog("dialog.icon_url must be an http or https URL")
    return {
        "callback_id": _text("dialog.callback_id", dialog.get("callback_id"), 1024),
        "title": title,
        "introduction_text": _text("dialog.introduction_text", dialog.get("introduction_text")),
        "icon_url": icon_url,
        "elements": checked,
        "submit_label": _text("dialog.submit_label", dialog.get("submit_label"), 64),
        "notify_on_cancel": notify_on_cancel,
        "state": _text("dialog.state", dialog.get("state"), 3000),
    }


def _check_element(index: int, element: Any) -> dict[str, Any]:
    where = f"dialog.elements[{index}]"
    if not isinstance(element, dict):
        raise invalid_dialog(f"{where} must be an object")
    kind = element.get("type")
    if kind not in ELEMENT_TYPES:
        raise invalid_dialog(f"{where}.type must be one of {', '.join(ELEMENT_TYPES)}")
    value_limit = _VALUE_LIMITS.get(kind)
    checked: dict[str, Any] = {
        "display_name": _text(
            f"{where}.display_name",
            element.get("display_name"),
            ELEMENT_DISPLAY_NAME_MAX_LENGTH,
            required=True,
        ),
        "name": _text(f"{where}.name", element.get("name"), ELEMENT_NAME_MAX_LENGTH, required=True),
        "type": kind,
        "subtype": _text(f"{where}.subtype", element.get("subtype")),
        "default": _text(f"{where}.default", element.get("default"), value_limit),
        "placeholder": _text(
            f"{where}.placeholder", element.get("placeholder"), value_limit or BOOL_PLACEHOLDER_MAX_LENGTH
        ),
        "help_text": _text(f"{where}.help_text", element.get("help_text"), ELEMENT_HELP_TEXT_MAX_LENGTH),
        "optional": element.get("optional") is True,
        "min_length": _whole(f"{where}.min_length", element.get("min_length")),
        "max_length": _whole(f"{where}.max_length", element.get("max_length")),
        "data_source": _text(f"{where}.data_source", element.get("data_source")),
        "options": _options(where, element.get("options")),
    }
    if checked["min_length"] < 0:
        raise invalid_dialog(f"{where}.min_length must not be negative")
    if checked["min_length"] > checked["max_length"]:
        raise invalid_dialog(f"{where}.min_length must not be more than max_length")
    if kind in ("text", "textarea") and checked["subtype"] not in TEXT_SUBTYPES:
        raise invalid_dialog(f"{where}.subtype {checked['subtype']!r} is not a text subtype")
    if kind == "select" and checked["data_source"] not in SELECT_DATA_SOURCES:
        raise invalid_dialog(f"{where}.data_source must be users or channels")
    if kind in ("select", "radio") and not checked["data_source"] and checked["default"]:
        if checked["default"] not in {o["value"] for o in checked["options"]}:
            raise invalid_dialog(f"{where}.default is not one of its options")
    if kind == "bool" and checked["default"] not in ("", "true", "false"):
        raise invalid_dialog(f"{where}.default of a bool is true or false")
    return checked


def submission_errors(dialog: dict[str, Any], submission: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a user's answers, by element name: the shape an integration's errors have."""
    errors: dict[str, str] = {}
    for element in dialog["elements"]:
        problem = _element_error(element, submission.get(element["name"]))
        if problem:
            errors[element["name"]] = problem
    return errors


def _element_error(element: dict[str, Any], value: Any) -> str:
    kind = element["type"]
    if value is None or value == "":
        return "" if element["optional"] or kind == "bool" else REQUIRED
    if kind == "bool":
        return "" if isinstance(value, bool) or value in ("true", "false") else "Must be true or false."
    if kind in ("text", "textarea") and element["subtype"] == "number" and isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return "Must be text."
    if kind in ("text", "textarea"):
        if len(value) < element["min_length"]:
            return f"Must be at least {element['min_length']} characters."
        limit = element["max_length"] or (TEXT_MAX_LENGTH if kind == "text" else TEXTAREA_MAX_LENGTH)
        if len(value) > limit:
            return f"Must be at most {limit} characters."
        subtype = element["subtype"]
        if subtype == "email" and not _EMAIL.fullmatch(value):
            return "Must be an email address."
        if subtype == "number" and not _NUMBER.fullmatch(value):
            return "Must be a number."
        if subtype == "url" and not value.startswith(("http://", "https://")):
            return "Must be an http or https URL."
        return ""
    if element["options"] and not element["data_source"]:
        if value not in {o["value"] for o in element["options"]}:
            return "Must be one of the options."
    return ""
