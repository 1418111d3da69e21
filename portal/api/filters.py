"""The API's filter backend: django-filter's, refusing what it would silently ignore.

django-filter reads a boolean filter through a ``NullBooleanSelect`` widget, which turns any value it
does not know (``null``, ``yes``, ``2``) into "no filter": the client believes it filtered and gets
everything. Here a boolean filter's value must be ``true`` or ``false`` (``1``/``0``, ``True``/``False``
as the widget reads them), otherwise the answer is a 400 naming the parameter, like every other
invalid filter value (numbers, dates and choices are already refused by their form fields).
"""

from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = {"true", "false", "True", "False", "1", "0"}


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {
                name: ["应为 true 或 false。"]
                for name, field in filterset.filters.items()
                if isinstance(field, filters.BooleanFilter)
                and request.query_params.get(name, "") not in BOOLEAN_VALUES | {""}
            }
            if errors:
                raise ValidationError(errors)
        return filterset
