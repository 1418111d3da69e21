"""The case's query secret: the portal's one scheme (portal.query_secret), worded for case codes."""

from portal.query_secret import ALPHABET, ITERATIONS, LENGTH, check, make_hash, new_secret, normalise

__all__ = ["ALPHABET", "ITERATIONS", "LENGTH", "WRONG", "check", "make_hash", "new_secret", "normalise"]

# One answer for a wrong code and a wrong secret alike.
WRONG = "办件编号或查询密码不正确。"
