"""The token format: "mgl_<12 hex prefix>_<43 url-safe chars of a 256-bit secret>"."""

from __future__ import annotations

import hashlib
import re
import secrets

PREFIX_LENGTH = 12
_TOKEN_RE = re.compile(rf"^mgl_([0-9a-f]{{{PREFIX_LENGTH}}})_([A-Za-z0-9_-]{{43}})$")


def token_generate() -> tuple[str, str]:
    """Return (prefix, raw token) for a new token."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"mgl_{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(raw: str) -> str:
    """Return the hex SHA-256 of a raw token.

    The secret has 256 bits of entropy, so a fast hash suffices: there is nothing to
    guess, unlike a password.
    """
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def token_prefix(raw: str) -> str | None:
    """Return the lookup prefix of a well-formed token, or None."""
    match = _TOKEN_RE.match(raw)
    return match.group(1) if match else None
