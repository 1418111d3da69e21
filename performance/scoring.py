"""The arithmetic of the appraisal, with no database: rules, weights, combination, ranking, grades.

Scores are on a 0–100 scale; weights are percentages that add up to 100 on each level of an
indicator system (categories of a series; indicators of a category; rater kinds of a series).
Everything returns floats rounded to two decimals, the precision results are stored and shown in,
so that what is ranked is exactly what is published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

HIGHER = "higher"
LOWER = "lower"
FULL = 100.0
WEIGHT_TOTAL = 100.0
WEIGHT_TOLERANCE = 0.005

# Online votes: what each answer is worth (the page states it).
VOTE_POINTS = {"satisfied": 100.0, "fairly": 80.0, "dissatisfied": 0.0}


def _r(value: float) -> float:
    return round(float(value) + 0.0, 2)


def _clamp(value: float) -> float:
    return max(0.0, min(FULL, value))


# --- the three scoring rules --------------------------------------------------------------------


def score_linear(value: float, target: float, floor: float, direction: str = HIGHER) -> float:
    """100 at or beyond the target, 0 at or beyond the floor, a straight line between.

    Higher is better: target > floor. Lower is better: target < floor (e.g. alarms per 100 cases,
    target 0, floor 5). A target equal to its floor is a pass/fail line.
    """
    if target == floor:
        return score_pass_fail(value, target, direction)
    if direction == HIGHER:
        return _r(_clamp((value - floor) / (target - floor) * FULL))
    return _r(_clamp((floor - value) / (floor - target) * FULL))


def score_bands(value: float, bands: Sequence[Mapping], direction: str = HIGHER) -> float:
    """Bands are ``[{"limit": x, "score": s}, …]``.

    Higher is better: the score of the band with the highest limit the value reaches (value ≥ limit).
    Lower is better: the score of the band with the lowest limit the value stays within (value ≤ limit).
    A value outside every band scores 0.
    """
    if direction == HIGHER:
        reached = [b for b in bands if value >= float(b["limit"])]
        best = max(reached, key=lambda b: float(b["limit"]), default=None)
    else:
        reached = [b for b in bands if value <= float(b["limit"])]
        best = min(reached, key=lambda b: float(b["limit"]), default=None)
    return _r(_clamp(float(best["score"]))) if best else 0.0


def score_pass_fail(value: float, target: float, direction: str = HIGHER) -> float:
    """100 when the target is met (≥ for higher-is-better, ≤ for lower-is-better), else 0."""
    met = value >= target if direction == HIGHER else value <= target
    return FULL if met else 0.0


def score_indicator(
    rule: str, value: float | None, *, direction: str, target=None, floor=None, bands=()
) -> float:
    """The 0–100 score of one raw figure by its rule; a missing figure scores 0."""
    if value is None:
        return 0.0
    if rule == "linear":
        return score_linear(value, float(target), float(floor), direction)
    if rule == "bands":
        return score_bands(value, bands, direction)
    if rule == "pass_fail":
        return score_pass_fail(value, float(target), direction)
    raise ValueError(f"unknown scoring rule {rule!r}")


def check_bands(bands) -> str:
    """An error message for malformed bands, or ''."""
    if not isinstance(bands, list) or not bands:
        return '分档计分至少需要一个档次，格式为 [{"limit": 数值, "score": 分值}]。'
    for band in bands:
        if not isinstance(band, dict) or set(band) != {"limit", "score"}:
            return "每个档次须且仅须包含 limit 与 score。"
        try:
            limit, score = float(band["limit"]), float(band["score"])
        except (TypeError, ValueError):
            return "档次的 limit 与 score 须为数值。"
        if not (-1e9 < limit < 1e9) or not (0 <= score <= FULL):
            return "档次分值须在 0–100 之间，界限须为合理数值。"
    return ""


# --- weights ------------------------------------------------------------------------------------


def weights_add_up(weights: Iterable[float]) -> bool:
    return abs(sum(float(w) for w in weights) - WEIGHT_TOTAL) <= WEIGHT_TOLERANCE


def check_weights(system_name: str, categories: Sequence[tuple[str, float, Sequence[float]]]) -> list[str]:
    """Errors of a two-level tree ``[(category name, weight, [indicator weights…]), …]``.

    Each message names the level that does not add up to 100, so the office knows what to fix.
    """
    errors = []
    if not categories:
        errors.append(f"「{system_name}」的指标体系还没有一级指标。")
        return errors
    total = sum(float(c[1]) for c in categories)
    if not weights_add_up(c[1] for c in categories):
        errors.append(f"「{system_name}」的一级指标权重合计为 {total:g}，应为 100。")
    for name, _weight, indicators in categories:
        if not indicators:
            errors.append(f"一级指标「{name}」下还没有二级指标。")
        elif not weights_add_up(indicators):
            errors.append(
                f"一级指标「{name}」下的二级指标权重合计为 {sum(float(w) for w in indicators):g}，应为 100。"
            )
    return errors


def check_rater_weights(series_name: str, weights: Mapping[str, float]) -> list[str]:
    if not weights:
        return [f"「{series_name}」还没有设置公众评议主体权重。"]
    if not weights_add_up(weights.values()):
        total = sum(float(w) for w in weights.values())
        return [f"「{series_name}」的公众评议主体权重合计为 {total:g}，应为 100。"]
    return []


# --- totals -------------------------------------------------------------------------------------


def internal_score(categories: Sequence[tuple[float, Sequence[tuple[float, float]]]]) -> float:
    """Σ category weight × Σ indicator weight × score, weights in percent: ``[(w, [(w, score)…])…]``."""
    total = 0.0
    for category_weight, indicators in categories:
        inner = sum(float(w) * float(s) for w, s in indicators) / WEIGHT_TOTAL
        total += float(category_weight) * inner / WEIGHT_TOTAL
    return _r(total)


def public_score(scores: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    """Weighted mean of the rater kinds' scores.

    A rater kind with a weight but no result this year (no survey imported, no vote cast) is left
    out and the other kinds' weights are scaled up to 100, rather than counting it as zero; None
    when no kind has a result.
    """
    present = {kind: float(w) for kind, w in weights.items() if kind in scores and float(w) > 0}
    total_weight = sum(present.values())
    if not total_weight:
        return None
    return _r(sum(scores[kind] * w for kind, w in present.items()) / total_weight)


def vote_score(counts: Mapping[str, int]) -> float | None:
    """Online votes as a 0–100 score: 满意 100, 比较满意 80, 不满意 0, averaged. None without votes."""
    n = sum(counts.get(k, 0) for k in VOTE_POINTS)
    if not n:
        return None
    return _r(sum(VOTE_POINTS[k] * counts.get(k, 0) for k in VOTE_POINTS) / n)


def combine(internal: float, public: float | None, share: float) -> float:
    """total = (1 − share) × internal + share × public. Without any public result, the internal score."""
    share = float(share)
    if not 0 <= share <= 1:
        raise ValueError("the public share is between 0 and 1")
    if public is None:
        return _r(internal)
    return _r((1 - share) * float(internal) + share * float(public))


# --- ranking and grades -------------------------------------------------------------------------


@dataclass(frozen=True)
class Placing:
    rank: int
    tied_with: tuple  # the other keys with the same total
    note: str


def rank(totals: Mapping, labels: Mapping | None = None) -> dict:
    """Standard competition ranking ("1224"): equal totals share a rank and the next rank is skipped.

    Returns ``{key: Placing}``; the note explains a tie in words.
    """
    labels = labels or {}
    ordered = sorted(totals.items(), key=lambda kv: (-_r(kv[1]), str(kv[0])))
    placings = {}
    position = 0
    previous = None
    current_rank = 0
    groups: dict[float, list] = {}
    for key, total in ordered:
        groups.setdefault(_r(total), []).append(key)
    for key, total in ordered:
        position += 1
        if previous is None or _r(total) != previous:
            current_rank = position
            previous = _r(total)
        others = tuple(k for k in groups[_r(total)] if k != key)
        note = ""
        if others:
            names = "、".join(str(labels.get(k, k)) for k in others)
            skipped = current_rank + len(others) + 1
            note = (
                f"总分 {_r(total):.2f} 与 {names} 相同，并列第 {current_rank} 名；"
                f"下一名次为第 {skipped} 名（并列占用名次）。"
            )
        placings[key] = Placing(current_rank, others, note)
    return placings


DEFAULT_THRESHOLDS = {"excellent": 90.0, "good": 80.0, "average": 60.0}


def grade(total: float, thresholds: Mapping[str, float] = DEFAULT_THRESHOLDS) -> str:
    """优秀 ≥ excellent, 良好 ≥ good, 一般 ≥ average, else 差."""
    total = _r(total)
    if total >= float(thresholds["excellent"]):
        return "excellent"
    if total >= float(thresholds["good"]):
        return "good"
    if total >= float(thresholds["average"]):
        return "average"
    return "poor"


def bottom(placings: Mapping, count: int = 3) -> set:
    """The keys in the last ``count`` places of a ranking (ties on the boundary all included).

    Never the first place: units tied for first are not "bottom", whatever the series' size.
    """
    n = len(placings)
    count = min(count, n - 1)
    if count <= 0:
        return set()
    ranks = sorted((p.rank for p in placings.values()), reverse=True)
    boundary = ranks[count - 1]
    return {key for key, p in placings.items() if p.rank >= boundary and p.rank > 1}
