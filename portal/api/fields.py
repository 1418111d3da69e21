"""Serializer fields shared by every app's API."""

import copy

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_LABELS: dict = {}


def choice_labels(choices) -> dict:
    """``{value: label}`` of a TextChoices class in the active language, built once per language.

    ``get_FOO_display()`` on every row of a list translates a lazy string per row (a third of a
    50-row list's serialisation); the labels of a choices class are the same for every row.
    """
    key = (choices, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in choices.choices}
    return labels


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The label of a choice field (``status_display``), read-only, looked up in a per-language dict."""

    def __init__(self, choices, **kwargs):
        self.choices_class = choices
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return choice_labels(self.choices_class).get(value, value)


class FieldsBuiltOnce:
    """A serializer mixin for the public intake inputs: the declared fields are deep-copied once per
    class, and each serializer binds shallow copies of them.

    DRF deep-copies every declared field (re-running its ``__init__`` with deep copies of its
    arguments: choices, regexes, querysets) for every serializer it builds: about as much work as an
    application's whole validation. The copies here share only what a field never changes while it
    validates (its arguments, choices, validators, error messages); what ``bind`` sets (name,
    parent, source) is each serializer's own. Only for plain input fields (no nested serializers,
    no field keeping state between calls)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = copy.deepcopy(self._declared_fields)
            cls._fields_built_once = built
        return {name: copy.copy(field) for name, field in built.items()}
