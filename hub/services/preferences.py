"""Per-user preferences: (category, name) → value, read and written by the user themself."""

from __future__ import annotations

import builtins
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub import events, jsonsafe, models, validation
from hub.errors import AppError, invalid_param
from hub.ids import is_valid_id
from hub.permissions import Actor, require_read_channel, require_self_or_admin

if TYPE_CHECKING:
    from hub.services import Hub

MAX_KEY_LENGTH = 32
MAX_VALUE_LENGTH = 20000
MAX_VISIBLE_DMS_GMS = 40
# Mattermost's routes only match these characters in a category or name.
_PATH_KEY = re.compile(r"[A-Za-z0-9_]+")
_THEME_COLOR = re.compile(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_THEME_NON_COLORS = {"image", "type", "codeTheme"}


@dataclass(frozen=True)
class PreferenceInput:
    user_id: str
    category: str
    name: str
    value: str


def _preference_error(field: str, detail: str) -> AppError:
    return AppError(
        f"model.preference.is_valid.{field}.app_error", f"Invalid {field} for the preference.", 400, detail
    )


def parse_preferences(items: list[Any]) -> list[PreferenceInput]:
    """A JSON list of {user_id, category, name, value}; absent fields are empty, other types are refused."""
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise invalid_param("preferences", "each preference must be an object")
        fields = {}
        for key in ("user_id", "category", "name", "value"):
            value = item.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise invalid_param("preferences", f"{key} must be a string")
            fields[key] = value
        parsed.append(PreferenceInput(**fields))
    return parsed


def _require_owned(preferences: list[PreferenceInput], user_id: str, error_id: str, verb: str) -> None:
    """Every preference in the body must name the user of the URL."""
    for item in preferences:
        if item.user_id != user_id:
            raise AppError(
                error_id,
                f"Unable to {verb} user preferences.",
                403,
                f"user_id={user_id} preference.user_id={item.user_id}",
            )


def _sanitized_theme(value: str) -> str:
    """Mattermost keeps theme values to colours, blanking anything else to white."""
    try:
        theme = jsonsafe.loads(value)
    except ValueError:
        theme = None
    if not isinstance(theme, dict) or not all(isinstance(v, str) for v in theme.values()):
        raise _preference_error("theme", "the theme must be a JSON object of strings")
    return jsonsafe.dumps(
        {
            k: v if k in _THEME_NON_COLORS or _THEME_COLOR.fullmatch(v) else "#ffffff"
            for k, v in theme.items()
        },
        separators=(",", ":"),
    )


def _validated(item: PreferenceInput) -> PreferenceInput:
    if not is_valid_id(item.user_id):
        raise _preference_error("id", f"user_id={item.user_id!r}")
    if not item.category or len(item.category) > MAX_KEY_LENGTH:
        raise _preference_error("category", f"category={item.category!r}")
    if len(item.name) > MAX_KEY_LENGTH:
        raise _preference_error("name", f"name={item.name!r}")
    if len(item.value) > MAX_VALUE_LENGTH:
        raise _preference_error("value", f"the value is longer than {MAX_VALUE_LENGTH} characters")
    if item.category == "sidebar_settings" and item.name == "limit_visible_dms_gms":
        if not _WHOLE_NUMBER.fullmatch(item.value) or not 1 <= int(item.value) <= MAX_VISIBLE_DMS_GMS:
            raise _preference_error("limit_visible_dms_gms", f"value={item.value!r}")
    if item.category == "theme":
        return PreferenceInput(item.user_id, item.category, item.name, _sanitized_theme(item.value))
    return item


def _require_path_key(name: str, value: str) -> None:
    if not _PATH_KEY.fullmatch(value):
        raise invalid_param(name, f"{name} may only hold letters, digits and '_'")


def _announce(s: Session, user_id: str, name: str, preferences: list[PreferenceInput]) -> None:
    """Tells the user's other clients; data.preferences is a JSON string of the list, as in Mattermost."""
    listed = [asdict(p) for p in preferences]
    events.emit(s, events.Event(name, {"preferences": events.json_string(listed)}, user_id=user_id))


class PreferenceService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def _load_owner(self, s: Session, actor: Actor, user_id: str) -> None:
        validation.require_id("user_id", user_id)
        require_self_or_admin(actor, user_id)
        self.hub.users.load(s, user_id)

    def list(self, actor: Actor, user_id: str) -> list[models.Preference]:
        with self.hub.store.read() as s:
            self._load_owner(s, actor, user_id)
            return list(s.scalars(self._query(user_id)))

    def list_category(self, actor: Actor, user_id: str, category: str) -> builtins.list[models.Preference]:
        _require_path_key("category", category)
        with self.hub.store.read() as s:
            self._load_owner(s, actor, user_id)
            found = list(s.scalars(self._query(user_id).where(models.Preference.category == category)))
        if not found:
            raise AppError(
                "api.preference.preferences_category.get.app_error",
                "Unable to find preferences for this category.",
                404,
                f"category={category}",
            )
        return found

    def get(self, actor: Actor, user_id: str, category: str, name: str) -> models.Preference:
        _require_path_key("category", category)
        _require_path_key("name", name)
        with self.hub.store.read() as s:
            self._load_owner(s, actor, user_id)
            preference = s.get(models.Preference, (user_id, category, name))
        if preference is None:
            # Mattermost answers 400 here, not 404; clients written against it expect that.
            raise AppError(
                "app.preference.get.app_error",
                "Unable to get preferences.",
                400,
                f"category={category} name={name}",
            )
        return preference

    def save(self, actor: Actor, user_id: str, items: builtins.list[Any]) -> None:
        """Upserts every preference in one transaction; a later duplicate in the list wins."""

        def upsert(s: Session) -> None:
            self._load_owner(s, actor, user_id)
            preferences = parse_preferences(items)
            _require_owned(preferences, user_id, "api.preference.update_preferences.set.app_error", "set")
            latest = {(p.category, p.name): p for p in (_validated(item) for item in preferences)}
            for item in latest.values():
                if item.category == "flagged_post":
                    self._check_flaggable(s, actor, item.name)
                row = s.get(models.Preference, (user_id, item.category, item.name))
                if row is None:
                    s.add(
                        models.Preference(
                            user_id=user_id, category=item.category, name=item.name, value=item.value
                        )
                    )
                else:
                    row.value = item.value
            _announce(s, user_id, "preferences_changed", list(latest.values()))

        self.hub.store.write_get_or_create(upsert)

    def delete(self, actor: Actor, user_id: str, items: builtins.list[Any]) -> None:
        with self.hub.store.write() as s:
            self._load_owner(s, actor, user_id)
            preferences = parse_preferences(items)
            _require_owned(
                preferences, user_id, "api.preference.delete_preferences.delete.app_error", "delete"
            )
            for item in preferences:
                row = s.get(models.Preference, (user_id, item.category, item.name))
                if row is not None:
                    s.delete(row)
            _announce(s, user_id, "preferences_deleted", preferences)

    @staticmethod
    def _query(user_id: str) -> Select[models.Preference]:
        return (
            select(models.Preference)
            .where(models.Preference.user_id == user_id)
            .order_by(models.Preference.category, models.Preference.name)
        )

    def _check_flaggable(self, s: Session, actor: Actor, post_id: str) -> None:
        """A saved post must exist and be readable, or the flag would leak its existence later."""
        post = s.get(models.Post, post_id) if is_valid_id(post_id) else None
        if post is None or post.delete_at:
            raise invalid_param("preference.name", f"no post {post_id!r} to flag")
        channel = s.get(models.Channel, post.channel_id)
        if channel is None:
            raise invalid_param("preference.name", f"post {post_id} has no channel")
        require_read_channel(s, actor, channel)
