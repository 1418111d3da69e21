from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class StandardCursorPagination(CursorPagination):
    """Cursor pagination: stable under inserts and constant-time at any depth.

    ``page_size`` is 1..``max_page_size``; anything else (``false``, ``0``, ``9999``) is a 400, not the
    default page size silently: the schema documents the range and the view keeps to it.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    ordering = "-id"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"每页条数应为 1 到 {self.max_page_size} 之间的整数。"]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    **build_basic_type(OpenApiTypes.INT),
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters
