"""The Chinese search property: any substring of a name finds it; a non-substring does not."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from portal import search
from portal.models import Department
from powers.models import Power
from tests.powers.factories import PowerFactory

# CJK Unified Ideographs, restricted to a small block so that random names share characters
# (a query that shares characters but is not a substring is the interesting negative case).
HANZI = st.characters(min_codepoint=0x8BB8, max_codepoint=0x8BC8)  # 许 … 试, includes 许可-like neighbours
NAMES = st.text(alphabet=HANZI, min_size=1, max_size=8)


def found(query):
    return set(search.search(Power.objects.all(), query).values_list("name", flat=True))


class SearchProperty(TestCase):
    def make(self, name):
        # Each example runs in its own transaction, so the department is (re)created inside it.
        department, _ = Department.objects.get_or_create(code="SCJG", defaults={"name": "市市场监督管理局"})
        return PowerFactory(department=department, name=name, articles=[])

    @settings(max_examples=25, deadline=None)
    @given(name=NAMES, others=st.lists(NAMES, max_size=3))
    def test_every_substring_finds_the_power(self, name, others):
        power = self.make(name)
        for other in others:
            self.make(other)
        for length in range(1, len(name) + 1):
            for start in range(len(name) - length + 1):
                query = name[start : start + length]
                ids = set(search.search(Power.objects.all(), query).values_list("pk", flat=True))
                assert power.pk in ids, query
                # The power list's form (names alone in the index: short runs skip the substring check).
                names_only = search.search(Power.objects.all(), query, field_only=True)
                assert set(names_only.values_list("pk", flat=True)) == ids, query
                # …and every hit really contains the query (no bigram false positives survive).
                assert all(
                    query in n for n in Power.objects.filter(pk__in=ids).values_list("name", flat=True)
                )

    @settings(max_examples=25, deadline=None)
    @given(name=NAMES, query=NAMES)
    def test_a_non_substring_does_not_find_it(self, name, query):
        assume(query not in name)
        power = self.make(name)
        assert not search.search(Power.objects.all(), query).filter(pk=power.pk).exists()
        assert not search.search(Power.objects.all(), query, field_only=True).filter(pk=power.pk).exists()


@pytest.mark.django_db
def test_short_queries_licensing_and_penalty(department):
    names = [
        "食品经营许可",
        "建筑工程施工许可",
        "对无证经营的罚款",
        "对违法建设的处罚",
        "最低生活保障金给付",
        "许可证遗失补办",
    ]
    for name in names:
        PowerFactory(department=department, name=name, articles=[])
    assert found("许可") == {"食品经营许可", "建筑工程施工许可", "许可证遗失补办"}
    assert found("罚") == {"对无证经营的罚款", "对违法建设的处罚"}
    assert found("许") == found("许可")
    assert found("可许") == set()  # the characters occur, but not in this order
    assert found("经营") == {"食品经营许可", "对无证经营的罚款"}
    assert found("食品 许可") == {"食品经营许可"}  # words separated by a space must all occur
    assert found("") == set(names)  # an empty query does not filter


@pytest.mark.django_db
def test_reindexing_on_rename_forgets_the_old_name(department):
    power = PowerFactory(department=department, name="户外广告设置许可", articles=[])
    power.name = "城市道路占用挖掘许可"
    power.save()
    search.index(power, power.name)
    assert found("广告") == set()
    assert found("挖掘") == {"城市道路占用挖掘许可"}


@pytest.mark.django_db
def test_overlong_queries_are_truncated_not_refused(department):
    PowerFactory(department=department, name="许" * 60, articles=[])
    assert found("许" * 80) == {"许" * 60}
