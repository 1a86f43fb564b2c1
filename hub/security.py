"""Password hashing, token minting and hashing, constant-time comparison."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub import offload
from hub.ids import new_id

_hasher = PasswordHasher()
# argon2 computes for tens of milliseconds per call, by design: in these threads a flood of logins
# waits its turn without holding up every other request of the process.
_hashing = offload.Pool(offload.cpu_count())


def hash_password(password: str) -> str:
    return _hashing.run(_hasher.hash, password)


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hashing.run(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def decoy_password_hash() -> str:
    """The hash of a random password nobody knows, made with the parameters of real ones: a login id that
    names no account is verified against it, so that its refusal takes as long as a wrong password's."""
    return hash_password(new_id())


def new_token() -> str:
    """Session tokens and personal access tokens are 26-character ids, as Mattermost's are."""
    return new_id()


def new_signing_secret() -> str:
    """The key an integration's requests are signed with: 256 random bits, shown to its admin once and
    never sent in a request (unlike the token, which travels in every one)."""
    return secrets.token_hex(32)


def hash_token(token: str) -> str:
    # Tokens carry 128 random bits, so a plain digest is enough to keep a leaked table useless.
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time equality of any two strings (hmac.compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))
