"""The query secret (查询密码) a citizen uses with a code to track a case or a complaint.

One scheme for every app that hands a citizen a code and a secret (approvals' cases, complaints).
Easy to type: eight characters from digits and capital letters without the
ambiguous 0/O and 1/I/L. Only a salted, keyed HMAC-SHA256 digest is stored (keyed with
``SECRET_KEY``, checked against ``SECRET_KEY_FALLBACKS`` too): a random secret needs no slow
password hasher, and a leaked table alone gives nothing to guess against without the key (a slow
PBKDF2 cost ~16 ms of every submission on a loaded machine). Digests of the earlier scheme
(``pbkdf2_sha256$…``) still verify. The secret itself is shown once, when the case or complaint is
created (or reissued at a window).
Comparison is constant-time, and ``check`` does the same work for a missing
case as for a wrong secret, so neither timing nor answer tells them apart.
"""

import hashlib
import hmac
import secrets

from django.utils.translation import gettext_noop

# One answer for a wrong code and a wrong secret alike (each app may word it for its own codes).
WRONG = gettext_noop("编号或查询密码不正确。")  # translated where it is shown
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
# The earlier scheme's work factor (digests stored before the keyed HMAC; still verified).
ITERATIONS = 12_000
_SCHEME = "hmac_sha256"
_LEGACY = "pbkdf2_sha256"
_KEY_SALT = "portal.query_secret"
# Hashed against when no case matches the code, so a wrong code costs what a wrong secret costs.
_DUMMY = None


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """What the citizen typed, as stored: upper case, without spaces or hyphens."""
    return "".join((raw or "").split()).replace("-", "").upper()[:32]


def _derive(raw: str, salt: str, iterations: int) -> str:
    """The earlier scheme (PBKDF2), kept to verify digests stored before the keyed HMAC."""
    return hashlib.pbkdf2_hmac("sha256", normalise(raw).encode(), salt.encode(), iterations).hex()


def _keyed(raw: str, salt: str, key: str | None = None) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac(_KEY_SALT, f"{salt}:{normalise(raw)}", secret=key, algorithm="sha256").hexdigest()


def make_hash(raw: str) -> str:
    salt = secrets.token_hex(8)
    return f"{_SCHEME}${salt}${_keyed(raw, salt)}"


def _matches(raw: str, stored: str) -> bool:
    from django.conf import settings

    parts = stored.split("$")
    if len(parts) == 3 and parts[0] == _SCHEME:
        _, salt, digest = parts
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
        found = False
        for key in keys:  # every key, so that a match costs what a miss costs
            found |= hmac.compare_digest(_keyed(raw, salt, key), digest)
        return found
    if len(parts) == 4 and parts[0] == _LEGACY:
        _, iterations, salt, digest = parts
        try:
            iterations = int(iterations)
        except ValueError:
            return False
        if not 0 < iterations <= 1_000_000:
            return False
        return hmac.compare_digest(_derive(raw, salt, iterations), digest)
    return False


def check(raw: str, stored: str | None) -> bool:
    """True when ``raw`` matches ``stored``; ``stored=None`` (no such case) costs the same and is False."""
    global _DUMMY
    if not stored:
        if _DUMMY is None:
            _DUMMY = make_hash(new_secret())
        stored, known = _DUMMY, False
    else:
        known = True
    return _matches(raw, stored) and known


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
