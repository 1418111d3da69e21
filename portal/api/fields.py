"""Serializer fields shared by every app's API."""

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
