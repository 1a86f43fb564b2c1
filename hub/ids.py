"""Mattermost-shaped identifiers and timestamps."""

import base64
import secrets
import time
from typing import TypeGuard

# Mattermost encodes 16 random bytes in base32 with this alphabet and drops the padding,
# which gives 26 lowercase characters; clients check ids by length and alphabet.
_STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MATTERMOST = "ybndrfg8ejkmcpqxot1uwisza345h769"
_TRANSLATE = str.maketrans(_STANDARD, _MATTERMOST)
_ALPHABET = set(_MATTERMOST)


def new_id() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").translate(_TRANSLATE)


def is_valid_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and len(value) == 26 and set(value) <= _ALPHABET


def now_ms() -> int:
    return int(time.time() * 1000)
