from rest_framework.pagination import CursorPagination


class StandardCursorPagination(CursorPagination):
    """Cursor pagination: stable under inserts and constant-time at any depth."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"
