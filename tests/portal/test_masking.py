"""portal.masking: the one rule for a person's name and the one for numbers, and every app on it."""

import pytest

from portal.masking import mask_middle, mask_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("王", "王**"),  # a one-character name does not show that it is one character
        ("王五", "王**"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧**"),  # a compound surname is not kept whole
        ("司马相如", "司**"),
        ("  李四 ", "李**"),
        ("Wang Wu", "W**"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_person_is_the_first_character_and_two_stars(name, shown):
    assert mask_name(name) == shown


@pytest.mark.parametrize(
    ("raw", "head", "tail", "shown"),
    [
        ("350203199001011234", 4, 4, "3502**********1234"),
        ("13812345678", 3, 4, "138****5678"),
        ("1234567", 3, 4, "*******"),  # too short to keep both ends: all starred
        ("", 3, 4, ""),
        (None, 3, 4, ""),
    ],
)
def test_a_number_keeps_its_ends_only_when_long_enough(raw, head, tail, shown):
    assert mask_middle(raw, head=head, tail=tail) == shown


def test_every_app_masks_names_with_the_one_rule():
    """No app keeps a masking function of its own (the three earlier variants disagreed on 王五)."""
    from approvals import disclosure
    from complaints.models import Complaint
    from risks import views as risks_views
    from risks.api import serializers as risks_api

    assert not hasattr(disclosure, "mask_person_name")
    assert risks_views.mask_name is mask_name and risks_api.mask_name is mask_name
    assert disclosure.party(name="王五", is_person=True, id_number="") == ("王**", "")
    assert Complaint(reporter_name="王五").masked_reporter == "王**"
    assert str(Complaint(reporter_name="").masked_reporter) == "匿名"


def test_the_outbox_admin_masks_a_short_recipient_entirely():
    from portal.admin import OutboxMessageAdmin

    class Row:
        recipient = "1380013"

    assert OutboxMessageAdmin.masked_recipient(None, Row()) == "*******"
    Row.recipient = "13800138000"
    assert OutboxMessageAdmin.masked_recipient(None, Row()) == "138****8000"
