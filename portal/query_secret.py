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
