"""The query secret (查询密码) a citizen uses with a code to track a case or a complaint.

One scheme for every app that hands a citizen a code and a secret (approvals' cases, complaints).
Easy to type: eight characters from digits and capital letters without the
ambiguous 0/O and 1/I/L. Only a salted PBKDF2 digest is stored; the secret
itself is shown once, when the case or complaint is created (or reissued at a window).
Comparison is constant-time, and ``check`` does the same work for a missing
case as for a wrong secret, so neither timing nor answer tells them apart.
"""

import hashlib
import hmac
import secrets

# One answer for a wrong code and a wrong secret alike (each app may word it for its own codes).
WRONG = "编号或查询密码不正确。"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
# Enough to make an offline guess of 31**8 secrets slow, cheap enough for a page view (~5 ms).
ITERATIONS = 12_000
_SCHEME = "pbkdf2_sha256"
# Hashed against when no case matches the code, so a wrong code costs what a wrong secret costs.
_DUMMY = None


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """What the citizen typed, as stored: upper case, without spaces or hyphens."""
    return "".join((raw or "").split()).replace("-", "").upper()[:32]


def _derive(raw: str, salt: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", normalise(raw).encode(), salt.encode(), iterations).hex()


def make_hash(raw: str) -> str:
    salt = secrets.token_hex(8)
    return f"{_SCHEME}${ITERATIONS}${salt}${_derive(raw, salt, ITERATIONS)}"


def check(raw: str, stored: str | None) -> bool:
    """True when ``raw`` matches ``stored``; ``stored=None`` (no such case) costs the same and is False."""
    global _DUMMY
    if not stored:
        if _DUMMY is None:
            _DUMMY = make_hash(new_secret())
        stored, known = _DUMMY, False
    else:
        known = True
    try:
        scheme, iterations, salt, digest = stored.split("$")
        iterations = int(iterations)
    except ValueError:
        return False
    candidate = _derive(raw, salt, iterations)
    return hmac.compare_digest(candidate, digest) and known and scheme == _SCHEME


# --- proof of a verified secret, kept in a session instead of the secret itself -------------------


def proof(purpose: str, pk, stored_hash: str, until: int) -> str:
    """A keyed mark that the secret of record ``pk`` (stored as ``stored_hash``) was verified, valid
    until ``until`` (epoch seconds). Kept in a tracking session instead of the plaintext secret: a
    leaked session table yields no secret, and a proof dies with its deadline or when the secret is
    reissued (the stored hash changes). Keyed with SECRET_KEY, so it cannot be made from the database.
    """
    from django.utils.crypto import salted_hmac

    value = f"{pk}:{stored_hash}:{int(until)}"
    return salted_hmac(f"portal.query_secret.proof.{purpose}", value, algorithm="sha256").hexdigest()


def check_proof(value: str, purpose: str, pk, stored_hash: str, until) -> bool:
    """True when ``value`` is a live proof for ``purpose`` on record ``pk`` with ``stored_hash``."""
    import time

    try:
        until = int(until)
    except (TypeError, ValueError):
        return False
    if not value or not stored_hash or until < time.time():
        return False
    return hmac.compare_digest(str(value), proof(purpose, pk, stored_hash, until))
