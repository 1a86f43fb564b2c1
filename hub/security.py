"""Password hashing, token minting and hashing, constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.ids import new_id

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """Session tokens and personal access tokens are 26-character ids, as Mattermost's are."""
    return new_id()


def hash_token(token: str) -> str:
    # Tokens carry 128 random bits, so a plain digest is enough to keep a leaked table useless.
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
