"""Read-side figures of the risk-grade catalogue, published for other apps and pages.

- ``step_grades(power_id)``: the highest confirmed grade on each step of a power's flowchart
  (``{step_id: "A"|"B"|"C"}``) — what colours the power's public flowchart;
- ``heat_map(department=None)``: counts of confirmed points per (likelihood, harm) cell, for the city
  or one department, in one query;
- ``grade_counts(queryset)``: ``{"A": n, "B": n, "C": n}`` in one query.
"""

from django.db.models import Count

from .choices import GRADE_HEX, GRADE_RANK, SCORE_MAX, SCORE_MIN, Grade
from .models import RiskPoint


def step_grades(power_id) -> dict:
    """The highest confirmed risk grade of each step of ``power_id``'s flowchart."""
    result = {}
    rows = (
        RiskPoint.objects.public()
        .filter(power_id=power_id, step__isnull=False)
        .values_list("step_id", "grade")
        .distinct()
    )
    for step_id, grade in rows:
        if GRADE_RANK.get(grade, 0) > GRADE_RANK.get(result.get(step_id), 0):
            result[step_id] = grade
    return result


def step_colours(power_id) -> dict:
    """``{step_id: hex colour}`` of ``step_grades``: A red, B yellow, C blue."""
    return {step: GRADE_HEX[Grade(grade)] for step, grade in step_grades(power_id).items()}


def grade_counts(queryset) -> dict:
    counts = dict.fromkeys(Grade.values, 0)
    for row in queryset.order_by().values("grade").annotate(n=Count("id")):
        counts[row["grade"]] = row["n"]
    return counts


def heat_map(department=None) -> dict:
    """Confirmed points by likelihood (x) × harm (y): ``{"cells": [[x, y, n], …], "total": n, "max": n}``.

    Every cell of the 5 × 5 grid is present (zeros included) so charts and tables line up.
    """
    queryset = RiskPoint.objects.public()
    if department is not None:
        queryset = queryset.filter(department=department)
    found = {
        (row["likelihood"], row["harm"]): row["n"]
        for row in queryset.order_by().values("likelihood", "harm").annotate(n=Count("id"))
    }
    scale = range(SCORE_MIN, SCORE_MAX + 1)
    cells = [[x, y, found.get((x, y), 0)] for y in scale for x in scale]
    return {
        "cells": cells,
        "total": sum(found.values()),
        "max": max(found.values(), default=0),
        "scale": list(scale),
    }
