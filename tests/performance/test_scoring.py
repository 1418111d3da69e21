"""The pure arithmetic: each rule, the weights, the 40% combination, ranking with ties, grades."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance import scoring

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(value=values, target=st.floats(0, 1000), gap=st.floats(0.01, 1000))
def test_linear_higher_is_bounded_and_monotonic(value, target, gap):
    floor = target - gap
    score = scoring.score_linear(value, target, floor, "higher")
    assert 0 <= score <= 100
    assert scoring.score_linear(value + 1, target, floor, "higher") >= score
    if value >= target:
        assert score == 100
    if value <= floor:
        assert score == 0


@given(value=values, target=st.floats(0, 1000), gap=st.floats(0.01, 1000))
def test_linear_lower_is_better_mirrors(value, target, gap):
    floor = target + gap
    score = scoring.score_linear(value, target, floor, "lower")
    assert 0 <= score <= 100
    assert scoring.score_linear(value + 1, target, floor, "lower") <= score
    if value <= target:
        assert score == 100


def test_linear_midpoint():
    assert scoring.score_linear(95, 100, 90, "higher") == 50
    assert scoring.score_linear(2.5, 0, 5, "lower") == 50


BANDS = [{"limit": 95, "score": 100}, {"limit": 90, "score": 80}, {"limit": 80, "score": 60}]


@pytest.mark.parametrize(("value", "expected"), [(99, 100), (95, 100), (92, 80), (80, 60), (79.9, 0)])
def test_bands_higher(value, expected):
    assert scoring.score_bands(value, BANDS, "higher") == expected


def test_bands_lower_is_better():
    bands = [{"limit": 1, "score": 100}, {"limit": 3, "score": 70}]
    assert scoring.score_bands(0.5, bands, "lower") == 100
    assert scoring.score_bands(2, bands, "lower") == 70
    assert scoring.score_bands(4, bands, "lower") == 0


@given(value=values, target=values)
def test_pass_fail_is_all_or_nothing(value, target):
    assert scoring.score_pass_fail(value, target, "higher") == (100 if value >= target else 0)
    assert scoring.score_pass_fail(value, target, "lower") == (100 if value <= target else 0)


def test_missing_value_scores_zero_and_unknown_rule_refused():
    assert scoring.score_indicator("linear", None, direction="higher", target=1, floor=0) == 0
    with pytest.raises(ValueError):
        scoring.score_indicator("magic", 1, direction="higher")


def test_bands_validation():
    assert scoring.check_bands(BANDS) == ""
    assert scoring.check_bands([]) != ""
    assert scoring.check_bands([{"limit": 1}]) != ""
    assert scoring.check_bands([{"limit": 1, "score": 150}]) != ""


def test_weights_errors_name_the_level():
    ok = [("重点工作", 60, [50, 50]), ("效能", 40, [100])]
    assert scoring.check_weights("A类", ok) == []
    errors = scoring.check_weights("A类", [("重点工作", 60, [50, 40]), ("效能", 30, [100])])
    assert any("一级指标权重合计为 90" in e and "A类" in e for e in errors)
    assert any("「重点工作」下的二级指标权重合计为 90" in e for e in errors)
    assert scoring.check_rater_weights("A类", {"online": 30, "residents": 60}) == [
        "「A类」的公众评议主体权重合计为 90，应为 100。"
    ]


@given(internal=st.floats(0, 100), public=st.floats(0, 100), share=st.sampled_from([0, 0.3, 0.4, 0.5, 1]))
def test_combination_is_a_weighted_mean(internal, public, share):
    total = scoring.combine(internal, public, share)
    assert min(internal, public) - 0.01 <= total <= max(internal, public) + 0.01
    assert total == pytest.approx((1 - share) * internal + share * public, abs=0.01)


def test_forty_percent_public():
    assert scoring.combine(90, 60, 0.4) == 78.0
    assert scoring.combine(90, None, 0.4) == 90.0
    with pytest.raises(ValueError):
        scoring.combine(90, 60, 1.5)


def test_internal_score_two_levels():
    assert scoring.internal_score([(60, [(50, 100), (50, 50)]), (40, [(100, 0)])]) == 45.0


def test_public_score_rescales_missing_kinds():
    assert scoring.public_score({"online": 80}, {"online": 40, "residents": 60}) == 80
    assert scoring.public_score({"online": 80, "residents": 60}, {"online": 50, "residents": 50}) == 70
    assert scoring.public_score({}, {"online": 100}) is None


def test_vote_score():
    assert scoring.vote_score({"satisfied": 1, "fairly": 1, "dissatisfied": 2}) == 45
    assert scoring.vote_score({}) is None


def test_rank_ties_share_and_skip():
    placings = scoring.rank({"a": 90, "b": 85, "c": 85, "d": 80}, {"b": "乙", "c": "丙"})
    assert [placings[k].rank for k in "abcd"] == [1, 2, 2, 4]
    assert "并列第 2 名" in placings["b"].note and "丙" in placings["b"].note
    assert "第 4 名" in placings["b"].note
    assert placings["a"].note == ""


@given(st.dictionaries(st.integers(0, 50), st.floats(0, 100).map(lambda x: round(x, 1)), min_size=1))
def test_rank_properties(totals):
    placings = scoring.rank(totals)
    for a, pa in placings.items():
        # the rank is 1 + the number of units with a strictly higher total
        assert pa.rank == 1 + sum(1 for t in totals.values() if round(t, 2) > round(totals[a], 2))
        for b in pa.tied_with:
            assert placings[b].rank == pa.rank


@pytest.mark.parametrize(
    ("total", "grade"), [(95, "excellent"), (90, "excellent"), (85, "good"), (60, "average"), (59.99, "poor")]
)
def test_grades(total, grade):
    assert scoring.grade(total) == grade


def test_grades_follow_configured_thresholds():
    assert scoring.grade(85, {"excellent": 85, "good": 75, "average": 50}) == "excellent"


def test_bottom_three_with_ties_and_small_series():
    placings = scoring.rank({"a": 90, "b": 80, "c": 70, "d": 70, "e": 60})
    assert scoring.bottom(placings) == {"c", "d", "e"}
    placings = scoring.rank({"a": 90, "b": 80, "c": 80, "d": 80, "e": 60})
    assert scoring.bottom(placings) == {"b", "c", "d", "e"}
    assert scoring.bottom(scoring.rank({"a": 1})) == set()
    assert scoring.bottom(scoring.rank({"a": 2, "b": 1})) == {"b"}
    assert scoring.bottom(scoring.rank({"a": 5, "b": 5, "c": 5, "d": 5})) == set()
