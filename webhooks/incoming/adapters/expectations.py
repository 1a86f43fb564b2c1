"""The one check every adapter's fixture tests make: a delivery renders exactly as expected."""

from __future__ import annotations

from typing import Any

from webhooks.incoming.adapters import Rendered


def assert_renders_as(
    rendered: Rendered | None, event: str, expected: tuple[str, dict[str, Any], str] | None
) -> None:
    """`expected` is (text, attachment, outcome), or None for a delivery that must render nothing."""
    if expected is None:
        assert rendered is None
        return
    assert rendered is not None
    assert (rendered.event, rendered.text, rendered.attachments, rendered.outcome) == (
        event,
        expected[0],
        (expected[1],),
        expected[2],
    )
