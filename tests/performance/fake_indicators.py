"""A published indicator module for the tests: figures set by the test, one call counted."""

FIGURES: dict = {}
CALLS: list = []


def figures(start, end):
    CALLS.append((start, end))
    return FIGURES
