"""Bounded numbers by construction: every number a user can type fits in 64 bits.

Installed once, from ``PortalConfig.ready()``, for every app (present and future):

- Django form ``IntegerField`` (and its subclasses ``DecimalField`` and ``FloatField``, hence
  django-filter's ``NumberFilter`` and every model form's number fields) gets default
  ``min_value``/``max_value`` of a signed 64-bit integer when the field sets none;
- ``ModelChoiceField``/``ModelMultipleChoiceField`` (hence django-filter's ``ModelChoiceFilter``/
  ``ModelMultipleChoiceFilter``) refuse an id that is not a 64-bit integer with their usual
  "not one of the choices" error before any query runs (the database would raise instead);
- DRF ``IntegerField``/``DecimalField`` get the same default bounds, and
  ``PrimaryKeyRelatedField`` refuses an out-of-range id as "does not exist".

A value past the bounds is therefore a form error on a page and a 400 with the reason in the API,
never a 500. ``1E+999999999``, ``NaN`` and ``Infinity`` are refused the same way (Django's and
DRF's decimal fields refuse non-finite values; the bounds refuse the huge ones).
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_installed = False


def in_int64(value) -> bool:
    """True when ``value`` (text or number) is an integer within a signed 64-bit range."""
    text = str(value).strip()
    if len(text) > 25:  # more digits than any 64-bit integer: no need to parse
        return False
    try:
        number = int(text)
    except (TypeError, ValueError):
        try:
            decimal = Decimal(text)
        except (InvalidOperation, ValueError):
            return False
        # adjusted() first: int(Decimal("1E+999999999")) would build a billion-digit number.
        if not decimal.is_finite() or decimal.adjusted() > 19 or decimal != decimal.to_integral_value():
            return False
        number = int(decimal)
    return INT64_MIN <= number <= INT64_MAX


def _integer_key(queryset, to_field_name) -> bool:
    """True when the model choice field looks values up by an integer column (an id)."""
    if queryset is None:
        return False
    opts = queryset.model._meta
    field = opts.get_field(to_field_name) if to_field_name else opts.pk
    while field.is_relation and field.target_field is not field:
        field = field.target_field
    return isinstance(field, models.IntegerField | models.AutoField)


def _bounded_number_init(original):
    def __init__(self, *args, max_value=None, min_value=None, **kwargs):
        if max_value is None:
            max_value = INT64_MAX
        if min_value is None:
            min_value = INT64_MIN
        original(self, *args, max_value=max_value, min_value=min_value, **kwargs)

    __init__._bounded = True
    return __init__


def _install_forms():
    if not getattr(forms.IntegerField.__init__, "_bounded", False):
        forms.IntegerField.__init__ = _bounded_number_init(forms.IntegerField.__init__)

    choice_to_python = forms.ModelChoiceField.to_python

    def to_python(self, value):
        if value not in self.empty_values and _integer_key(self.queryset, self.to_field_name):
            if not in_int64(value):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                )
        return choice_to_python(self, value)

    forms.ModelChoiceField.to_python = to_python

    check_values = forms.ModelMultipleChoiceField._check_values

    def _check_values(self, value):
        if _integer_key(self.queryset, self.to_field_name):
            try:
                values = frozenset(value)
            except TypeError:
                values = frozenset()
            for pk in values:
                if not in_int64(pk):
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return check_values(self, value)

    forms.ModelMultipleChoiceField._check_values = _check_values


def _install_drf():
    from rest_framework import relations, serializers

    for cls in (serializers.IntegerField, serializers.DecimalField):
        if not getattr(cls.__init__, "_bounded", False):
            original = cls.__init__

            def __init__(self, *args, _original=original, **kwargs):
                if not kwargs.get("read_only"):
                    if kwargs.get("max_value") is None:
                        kwargs["max_value"] = INT64_MAX
                    if kwargs.get("min_value") is None:
                        kwargs["min_value"] = INT64_MIN
                _original(self, *args, **kwargs)

            __init__._bounded = True
            cls.__init__ = __init__

    pk_to_internal = relations.PrimaryKeyRelatedField.to_internal_value

    def pk_to_internal_value(self, data):
        if self.pk_field is None and not isinstance(data, bool):
            queryset = self.get_queryset()
            if _integer_key(queryset, None) and not in_int64(data):
                self.fail("does_not_exist", pk_value=data)
        return pk_to_internal(self, data)

    relations.PrimaryKeyRelatedField.to_internal_value = pk_to_internal_value


def install():
    """Patch the base classes once (idempotent)."""
    global _installed
    if _installed:
        return
    _install_forms()
    _install_drf()
    _installed = True
