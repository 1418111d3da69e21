"""Form pieces every app uses: one text-cleaning rule, one text field built on it, one reason form.

``clean_text`` is the one rule for free text typed by a person: surrounding whitespace stripped, NUL
and other control characters refused (a line break only where the field is multi-line), and a
maximum length. ``TextField`` is Django's CharField with that rule, so every form's text goes
through it; ``ReasonForm`` is the small form of every verb that needs only a stated reason, and
``NoteForm``/``RequiredNoteForm`` of every verb that takes a note (optional or required).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# C0 controls and DEL; tab, line feed and carriage return are allowed in multi-line text only.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\t\r\n]")


def clean_text(value, *, max_length: int | None = None, multiline: bool = True) -> str:
    """``value`` stripped; ValidationError for control characters or more than ``max_length`` characters."""
    text = "" if value is None else str(value).strip()
    if CONTROL_CHARACTERS.search(text) or (not multiline and LINE_BREAKS.search(text)):
        raise ValidationError(_("内容含有不可见的控制字符，请删除后重新输入。"), code="control_characters")
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("内容过长：最多 %(limit)d 个字符（现有 %(count)d 个）。")
            % {"limit": max_length, "count": len(text)},
            code="max_length",
        )
    return text


class TextField(forms.CharField):
    """A CharField whose value is cleaned by ``clean_text`` (multi-line when its widget is a Textarea)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        multiline = isinstance(self.widget, forms.Textarea)
        return clean_text(value, max_length=self.max_length, multiline=multiline)


class ReasonForm(forms.Form):
    """The stated reason (理由) of a verb: returning, refusing, abolishing, revising…"""

    reason = TextField(label=gettext_lazy("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    """An optional note (说明) with a verb: confirming, accepting, checking, keeping…"""

    note = TextField(
        label=gettext_lazy("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredNoteForm(NoteForm):
    """A note the verb needs (退回理由): the same field, required."""

    note = TextField(label=gettext_lazy("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def attach_errors(form, exc: ValidationError) -> None:
    """Show a verb's ValidationError on the form: beside its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class PlainSelect(forms.Select):
    """Django's ``Select`` with the same HTML, written straight from ``choices`` in Python.

    A filter listing every department (about 300 options in optgroups) spent most of a list page's
    time in Django's per-option context dicts and template includes; this renders the same markup
    (a test holds them equal) in a fraction of it. Single choice only, like ``Select``.
    """

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.utils import flatatt
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        chosen = set(self.format_value(value))

        def option(option_value, label):
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value in chosen else ""
            return f'<option value="{escape(option_value)}"{selected}>{escape(label)}</option>'

        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for group, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(group)}">')
                parts.extend(option(v, sub_label) for v, sub_label in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(group, label))
        parts.append("</select>")
        return mark_safe("".join(parts))
