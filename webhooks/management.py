"""Managing integrations, written once for every kind (incoming and outgoing webhooks, slash commands):
the switch that turns a kind off, loading a live row that the caller may manage, deleting it,
regenerating its token or signing secret, and the text fields' limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from hub import validation
from hub.errors import AppError
from hub.ids import new_id, now_ms
from hub.permissions import Actor, require_team_admin
from hub.security import new_signing_secret

if TYPE_CHECKING:
    from hub.services import Hub


class IntegrationRow(Protocol):
    id: str
    team_id: str
    update_at: int
    delete_at: int


class SignedRow(IntegrationRow, Protocol):
    """A row whose requests carry a token and are signed (slash commands, outgoing webhooks)."""

    token: str
    signing_secret: str


RowT = TypeVar("RowT", bound=IntegrationRow)
SignedRowT = TypeVar("SignedRowT", bound=SignedRow)


@dataclass(frozen=True)
class TextLimit:
    """A text field's longest value and Mattermost's error id for a longer one."""

    limit: int
    error_id: str


def text_changes(
    fields: Mapping[str, Any], limits: Mapping[str, TextLimit], *, creating: bool
) -> dict[str, str]:
    """The text fields given, each within its limit. Creating fills the absent ones with ""; an update
    keeps an absent field as it is and empties a null one (as Mattermost's whole-struct updates do)."""
    return {
        name: validation.limited_str(name, fields.get(name), rule.limit, rule.error_id)
        for name, rule in limits.items()
        if creating or name in fields
    }


class Integrations(Generic[RowT]):
    """One kind of integration's rows: `enabled_setting` (a ServiceSettings switch) answers 501 with
    `disabled` while off; a row is managed by its team's admins; a deleted row is a missing one."""

    def __init__(
        self,
        hub: Hub,
        model: type[RowT],
        *,
        enabled_setting: str,
        disabled: Callable[[], AppError],
        id_name: str,
        not_found: Callable[[str], AppError],
    ) -> None:
        self.hub = hub
        self.model = model
        self.enabled_setting = enabled_setting
        self.disabled = disabled
        self.id_name = id_name
        self.not_found = not_found

    @property
    def enabled(self) -> bool:
        return bool(self.hub.config["ServiceSettings"][self.enabled_setting])

    def require_enabled(self) -> None:
        if not self.enabled:
            raise self.disabled()

    def load(self, s: Session, row_id: Any) -> RowT:
        validation.require_id(self.id_name, row_id)
        row = s.get(self.model, row_id)
        if row is None or row.delete_at:
            raise self.not_found(f"{self.id_name}={row_id}")
        return row

    def managed(self, s: Session, actor: Actor, row_id: Any) -> RowT:
        """A live row the actor may manage. A row's id can be its secret (an incoming hook's URL), so
        one the actor may not manage answers 403 without telling more."""
        row = self.load(s, row_id)
        require_team_admin(s, actor, row.team_id)
        return row

    def get(self, actor: Actor, row_id: str) -> RowT:
        self.require_enabled()
        with self.hub.store.read() as s:
            return self.managed(s, actor, row_id)

    def change(self, actor: Actor, row_id: str, apply: Callable[[Session, RowT], None]) -> RowT:
        """Stamps update_at on a managed row and applies `apply` to it, in one transaction."""
        self.require_enabled()
        with self.hub.store.write() as s:
            row = self.managed(s, actor, row_id)
            row.update_at = now_ms()
            apply(s, row)
            return row

    def delete(self, actor: Actor, row_id: str) -> None:
        def mark_deleted(_s: Session, row: RowT) -> None:
            row.delete_at = row.update_at

        self.change(actor, row_id, mark_deleted)

    def regenerate_token(self: Integrations[SignedRowT], actor: Actor, row_id: str) -> SignedRowT:
        def new_token(_s: Session, row: SignedRowT) -> None:
            row.token = new_id()

        return self.change(actor, row_id, new_token)

    def regenerate_signing_secret(self: Integrations[SignedRowT], actor: Actor, row_id: str) -> SignedRowT:
        """A new key for the row's signatures, e.g. after the old one leaked; what is still queued is
        signed with it when it is sent."""

        def new_secret(_s: Session, row: SignedRowT) -> None:
            row.signing_secret = new_signing_secret()

        return self.change(actor, row_id, new_secret)
