"""The case's query secret: the portal's one scheme (portal.query_secret), worded for case codes."""

from django.utils.translation import gettext_noop

from portal.query_secret import (
    ALPHABET,
    ITERATIONS,
    LENGTH,
    check,
    check_proof,
    make_hash,
    new_secret,
    normalise,
    proof,
)

__all__ = [
    "ALPHABET",
    "ITERATIONS",
    "LENGTH",
    "WRONG",
    "check",
    "check_proof",
    "make_hash",
    "new_secret",
    "normalise",
    "proof",
]

# One answer for a wrong code and a wrong secret alike.
WRONG = gettext_noop("办件编号或查询密码不正确。")  # translated where it is shown
