"""The grading matrix (评权) as pure functions: no database, no Django models.

A matrix is data an administrator edits (``risks.models.GradingMatrix``):

- ``weights``: a non-negative weight per factor (likelihood, harm, frequency, discretion);
- ``a_threshold`` / ``b_threshold``: the weighted score (on the 1–5 scale of the factors) at or
  above which a point is A (red) / B (yellow); below B it is C (blue);
- ``overrides``: ordered rules that win over the score, e.g. the seeds' "penalty and levy powers
  held directly by the unit head are A" and "non-licensing and internal-management powers are C"
  (in this power list: the category 其他行政权力). A rule matches when each of its non-empty lists
  contains the point's value; the first matching rule decides.

``grade(scores, matrix, category=…, holder=…)`` returns a ``Result`` with the grade, the weighted
score and the reason in words. The score is monotonic in every factor (weights are never negative),
so raising any factor never lowers the grade unless an override decides.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .choices import SCORE_FIELDS, SCORE_MAX, SCORE_MIN, Grade, Holder

TWO_PLACES = Decimal("0.01")
MAX_WEIGHT = 100


class MatrixError(ValueError):
    """The matrix data is not usable (negative weight, thresholds out of order, unknown values)."""


@dataclass(frozen=True)
class Override:
    name: str
    grade: str
    categories: tuple[str, ...] = ()
    holders: tuple[str, ...] = ()

    def matches(self, category: str, holder: str) -> bool:
        return (not self.categories or category in self.categories) and (
            not self.holders or holder in self.holders
        )

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "grade": self.grade,
            "categories": list(self.categories),
            "holders": list(self.holders),
        }


@dataclass(frozen=True)
class Matrix:
    weights: dict
    a_threshold: Decimal
    b_threshold: Decimal
    overrides: tuple[Override, ...] = field(default=())


@dataclass(frozen=True)
class Result:
    grade: str
    score: Decimal
    reason: str
    override: str = ""


def parse_overrides(raw, *, categories=None) -> tuple[Override, ...]:
    """Rules from their stored form (a list of dicts); ``categories``: the allowed category values."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MatrixError("覆盖规则应为列表。")
    rules = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise MatrixError(f"第 {position} 条覆盖规则格式不正确。")
        grade = item.get("grade")
        if grade not in Grade.values:
            raise MatrixError(f"第 {position} 条覆盖规则的等级应为 A、B 或 C。")
        cats = tuple(item.get("categories") or ())
        holders = tuple(item.get("holders") or ())
        if categories is not None and any(c not in categories for c in cats):
            raise MatrixError(f"第 {position} 条覆盖规则含未知的权力类别。")
        if any(h not in Holder.values for h in holders):
            raise MatrixError(f"第 {position} 条覆盖规则含未知的行使主体。")
        if not cats and not holders:
            raise MatrixError(f"第 {position} 条覆盖规则须限定权力类别或行使主体，不能覆盖全部风险点。")
        name = str(item.get("name") or f"规则{position}")[:60]
        rules.append(Override(name=name, grade=grade, categories=cats, holders=holders))
    return tuple(rules)


def make_matrix(weights: dict, a_threshold, b_threshold, overrides=None, *, categories=None) -> Matrix:
    """Validate and build a matrix; raises MatrixError with a reason in words."""
    if set(weights) != set(SCORE_FIELDS):
        raise MatrixError("权重须包含且仅包含：可能性、危害程度、行使频率、裁量空间。")
    clean = {}
    for name in SCORE_FIELDS:
        try:
            value = Decimal(str(weights[name]))
        except ArithmeticError as exc:
            raise MatrixError("权重应为数字。") from exc
        if not value.is_finite() or value < 0 or value > MAX_WEIGHT:
            raise MatrixError(f"权重应在 0 至 {MAX_WEIGHT} 之间。")
        clean[name] = value
    if sum(clean.values()) <= 0:
        raise MatrixError("权重不能全部为零。")
    try:
        a, b = Decimal(str(a_threshold)), Decimal(str(b_threshold))
    except ArithmeticError as exc:
        raise MatrixError("阈值应为数字。") from exc
    if not (a.is_finite() and b.is_finite()):
        raise MatrixError("阈值应为数字。")
    if not SCORE_MIN <= b <= a <= SCORE_MAX:
        raise MatrixError(f"阈值应满足 {SCORE_MIN} ≤ B线 ≤ A线 ≤ {SCORE_MAX}。")
    return Matrix(clean, a, b, parse_overrides(overrides, categories=categories))


def weighted_score(scores: dict, weights: dict) -> Decimal:
    """The weighted mean of the factors, on the factors' own 1–5 scale, rounded to 0.01."""
    for name in SCORE_FIELDS:
        value = scores.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not SCORE_MIN <= value <= SCORE_MAX:
            raise ValueError(f"{name} 评分应为 {SCORE_MIN} 至 {SCORE_MAX} 的整数。")
    total = sum(Decimal(weights[name]) for name in SCORE_FIELDS)
    raw = sum(Decimal(weights[name]) * scores[name] for name in SCORE_FIELDS) / total
    return raw.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def grade_of_score(score: Decimal, matrix: Matrix) -> str:
    if score >= matrix.a_threshold:
        return Grade.A
    if score >= matrix.b_threshold:
        return Grade.B
    return Grade.C


def grade(scores: dict, matrix: Matrix, *, category: str = "", holder: str = Holder.STAFF) -> Result:
    """Grade one risk point: the first matching override wins, else the score against the thresholds."""
    score = weighted_score(scores, matrix.weights)
    for rule in matrix.overrides:
        if rule.matches(category, holder):
            return Result(rule.grade, score, f"覆盖规则「{rule.name}」定为{rule.grade}级", rule.name)
    result = grade_of_score(score, matrix)
    if result == Grade.A:
        reason = f"加权评分 {score} ≥ A线 {matrix.a_threshold}"
    elif result == Grade.B:
        reason = f"加权评分 {score} ≥ B线 {matrix.b_threshold}，< A线 {matrix.a_threshold}"
    else:
        reason = f"加权评分 {score} < B线 {matrix.b_threshold}"
    return Result(result, score, reason)


# The seeds' defaults (DOMAIN.md §2): harm and likelihood weigh most; the two rules of the seeds.
DEFAULT_WEIGHTS = {"likelihood": 3, "harm": 3, "frequency": 2, "discretion": 2}
DEFAULT_A_THRESHOLD = Decimal("3.80")
DEFAULT_B_THRESHOLD = Decimal("2.80")
DEFAULT_OVERRIDES = [
    {"name": "处罚、征收权力由单位主要负责人直接行使", "grade": "A", "categories": ["penalty", "levy"], "holders": ["head"]},
    {"name": "非许可审批和内部管理权力", "grade": "C", "categories": ["other"], "holders": []},
]  # fmt: skip
