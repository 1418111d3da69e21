"""The grading matrix as pure functions: property tests."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risks import grading
from risks.choices import SCORE_FIELDS, Grade, Holder

RANK = {"A": 3, "B": 2, "C": 1}
score = st.integers(min_value=1, max_value=5)
scores = st.fixed_dictionaries({name: score for name in SCORE_FIELDS})
weight = st.integers(min_value=0, max_value=10)
weights = st.fixed_dictionaries({name: weight for name in SCORE_FIELDS}).filter(lambda w: sum(w.values()) > 0)
threshold = st.decimals(min_value=1, max_value=5, places=2)


@st.composite
def matrices(draw, overrides=()):
    a, b = sorted([draw(threshold), draw(threshold)], reverse=True)
    return grading.make_matrix(draw(weights), a, b, list(overrides))


@given(matrices(), scores, st.sampled_from(SCORE_FIELDS))
def test_raising_any_factor_never_lowers_the_grade(matrix, base, factor):
    if base[factor] == 5:
        return
    higher = {**base, factor: base[factor] + 1}
    assert RANK[grading.grade(higher, matrix).grade] >= RANK[grading.grade(base, matrix).grade]
    assert grading.weighted_score(higher, matrix.weights) >= grading.weighted_score(base, matrix.weights)


@given(matrices(), scores)
def test_thresholds_are_respected(matrix, values):
    result = grading.grade(values, matrix)
    if result.score >= matrix.a_threshold:
        assert result.grade == Grade.A
    elif result.score >= matrix.b_threshold:
        assert result.grade == Grade.B
    else:
        assert result.grade == Grade.C
    assert 1 <= result.score <= 5


@given(matrices(overrides=grading.DEFAULT_OVERRIDES), scores, st.sampled_from(["penalty", "levy"]))
def test_penalty_held_by_the_head_is_a_whatever_the_scores(matrix, values, category):
    assert grading.grade(values, matrix, category=category, holder=Holder.HEAD).grade == Grade.A


@given(matrices(overrides=grading.DEFAULT_OVERRIDES), scores, st.sampled_from(list(Holder.values)))
def test_internal_management_is_c_whatever_the_scores(matrix, values, holder):
    result = grading.grade(values, matrix, category="other", holder=holder)
    assert result.grade == Grade.C
    assert result.override


def test_the_first_matching_override_wins():
    matrix = grading.make_matrix(
        grading.DEFAULT_WEIGHTS, 4, 3,
        [{"name": "一", "grade": "B", "categories": ["penalty"]}, {"name": "二", "grade": "A", "categories": ["penalty"]}],
    )  # fmt: skip
    result = grading.grade(dict.fromkeys(SCORE_FIELDS, 5), matrix, category="penalty")
    assert (result.grade, result.override) == ("B", "一")


def test_a_penalty_held_by_staff_follows_the_scores():
    matrix = grading.make_matrix(grading.DEFAULT_WEIGHTS, 4, 3, grading.DEFAULT_OVERRIDES)
    low = grading.grade(dict.fromkeys(SCORE_FIELDS, 1), matrix, category="penalty", holder=Holder.STAFF)
    assert low.grade == Grade.C and "加权评分" in low.reason


def test_weighted_score_is_the_weighted_mean():
    values = {"likelihood": 5, "harm": 5, "frequency": 1, "discretion": 1}
    assert grading.weighted_score(
        values, {"likelihood": 3, "harm": 3, "frequency": 2, "discretion": 2}
    ) == Decimal("3.40")


@pytest.mark.parametrize(
    ("weights", "a", "b", "overrides"),
    [
        ({**grading.DEFAULT_WEIGHTS, "harm": -1}, 4, 3, []),
        (dict.fromkeys(SCORE_FIELDS, 0), 4, 3, []),
        ({"likelihood": 1}, 4, 3, []),
        (grading.DEFAULT_WEIGHTS, 3, 4, []),
        (grading.DEFAULT_WEIGHTS, 6, 3, []),
        (grading.DEFAULT_WEIGHTS, "1E+999999999", 3, []),
        (grading.DEFAULT_WEIGHTS, "nan", 3, []),
        (grading.DEFAULT_WEIGHTS, 4, 3, [{"grade": "D", "categories": ["penalty"]}]),
        (grading.DEFAULT_WEIGHTS, 4, 3, [{"grade": "A"}]),
        (grading.DEFAULT_WEIGHTS, 4, 3, [{"grade": "A", "holders": ["king"]}]),
        (grading.DEFAULT_WEIGHTS, 4, 3, "A"),
    ],
)
def test_bad_matrices_are_refused_with_a_reason(weights, a, b, overrides):
    with pytest.raises(grading.MatrixError):
        grading.make_matrix(weights, a, b, overrides, categories=["penalty", "levy", "other"])


@pytest.mark.parametrize("bad", [0, 6, "3", None, True, 2**64])
def test_scores_out_of_the_scale_are_refused(bad):
    with pytest.raises(ValueError):
        grading.weighted_score({**dict.fromkeys(SCORE_FIELDS, 3), "harm": bad}, grading.DEFAULT_WEIGHTS)
