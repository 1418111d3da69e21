"""Hole 9 of the security test: the public API shows only what the public page shows."""

import pytest
from rest_framework.test import APIClient

from powers.choices import PowerStatus
from tests.powers.factories import PowerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_with_draft_successor(department):
    published = PowerFactory(department=department, review_note="法制办内部意见：依据需补充", name="公开事项")
    draft = PowerFactory(
        department=department, status=PowerStatus.DRAFT, name="尚未公开的合并草稿", predecessor=published
    )
    published.successor = draft
    published.save()
    return published, draft


def detail(user, code):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api.get(f"/api/v1/powers/{code}/").json()


def test_anonymous_sees_no_draft_successor_nor_the_review_note(published_with_draft_successor):
    published, draft = published_with_draft_successor
    body = detail(None, published.code)
    assert body["successor"] is None and body["review_note"] is None
    assert draft.name not in str(body) and "法制办内部意见" not in str(body)


def test_staff_of_the_department_see_both(published_with_draft_successor, handler):
    published, draft = published_with_draft_successor
    body = detail(handler, published.code)
    assert body["successor"]["name"] == draft.name and body["review_note"].startswith("法制办")


def test_a_handler_of_another_department_sees_neither(published_with_draft_successor, other_department):
    from portal import roles
    from tests.factories import UserFactory

    other = UserFactory(username="other", roles=[roles.DEPT_HANDLER], department=other_department)
    published, draft = published_with_draft_successor
    body = detail(other, published.code)
    assert body["successor"] is None and body["review_note"] is None


def test_a_published_successor_stays_public(department):
    first = PowerFactory(department=department, status=PowerStatus.MERGED)
    second = PowerFactory(department=department, predecessor=first)
    first.successor = second
    first.save()
    assert detail(None, first.code)["successor"]["code"] == second.code
    assert detail(None, second.code)["predecessor"]["code"] == first.code
