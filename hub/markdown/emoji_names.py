"""Emoji short names (":smile:") to Unicode: the emoji package's names and aliases, plus Mattermost's."""

from __future__ import annotations

import re

import emoji

# Mattermost names the emoji package lacks or might drop; ours win over the package's.
_MATTERMOST_NAMES = {
    "+1": "\U0001f44d",
    "-1": "\U0001f44e",
    "thumbsup": "\U0001f44d",
    "thumbsdown": "\U0001f44e",
    "white_check_mark": "\u2705",
    "heavy_check_mark": "\u2714\ufe0f",
    "x": "\u274c",
    "tada": "\U0001f389",
    "rocket": "\U0001f680",
    "warning": "\u26a0\ufe0f",
    "fire": "\U0001f525",
    "eyes": "\U0001f440",
    "100": "\U0001f4af",
    "simple_smile": "\U0001f642",
    "octagonal_sign": "\U0001f6d1",
    "slightly_smiling_face": "\U0001f642",
}

# The characters of a Mattermost emoji name; the package's names with others ("flag_for_Côte_d’Ivoire")
# could never be typed between colons anyway.
EMOJI_NAME = re.compile(r"[a-z0-9_+\-]+")


def _build_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for character, data in emoji.EMOJI_DATA.items():
        for written in [data.get("en", ""), *data.get("alias", [])]:
            name = written.strip(":").lower()
            if EMOJI_NAME.fullmatch(name):
                table.setdefault(name, character)
    table.update(_MATTERMOST_NAMES)
    return table


_EMOJI_BY_NAME = _build_table()


def emoji_for(name: str) -> str | None:
    """The Unicode emoji for a short name without colons, case-insensitive; None when unknown."""
    return _EMOJI_BY_NAME.get(name.lower())
