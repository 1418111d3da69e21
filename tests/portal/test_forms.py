"""portal.forms: the one text-cleaning rule and the reason form."""

import pytest
from django.core.exceptions import ValidationError

from portal.forms import ReasonForm, TextField, clean_text


def test_clean_text_strips_and_keeps_line_breaks_where_allowed():
    assert clean_text("  理由\n第二行  ") == "理由\n第二行"
    with pytest.raises(ValidationError):
        clean_text("理由\n第二行", multiline=False)


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb"])
def test_control_characters_are_refused(bad):
    with pytest.raises(ValidationError, match="控制字符"):
        clean_text(bad)


def test_length_is_bounded():
    assert clean_text("字" * 5, max_length=5) == "字" * 5
    with pytest.raises(ValidationError, match="最多 5"):
        clean_text("字" * 6, max_length=5)


def test_reason_form():
    assert ReasonForm({"reason": "  不符合条件 "}).is_valid()
    assert not ReasonForm({"reason": "   "}).is_valid()
    form = ReasonForm({"reason": "x\x00"})
    assert not form.is_valid() and "reason" in form.errors
    assert not ReasonForm({"reason": "字" * 1001}).is_valid()


def test_single_line_text_field_refuses_line_breaks():
    field = TextField(max_length=20)
    assert field.clean(" 标题 ") == "标题"
    with pytest.raises(ValidationError):
        field.clean("标题\n注入")


def test_plain_select_renders_what_django_select_renders():
    from django import forms as django_forms
    from django.test.html import parse_html

    from portal.forms import PlainSelect

    choices = [
        ("", "全部单位"),
        ("市级", [("SCJG", "市场<监管>局"), ("JTJ", "交通局")]),
        ("区级", [("Q1", "区 & 局")]),
    ]
    for value in ("", "JTJ", "Q1", None):
        attrs = {"id": "id_department", "required": True, "data-x": False}
        plain = PlainSelect(choices=choices).render("department", value, attrs)
        django = django_forms.Select(choices=choices).render("department", value, attrs)
        assert parse_html(plain) == parse_html(django), value
    assert "selected" in PlainSelect(choices=choices).render("department", "JTJ") and "&lt;监管&gt;" in plain
