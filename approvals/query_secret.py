"""The case's query secret: the portal's one scheme (portal.query_secret), worded for case codes."""

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
WRONG = "办件编号或查询密码不正确。"
