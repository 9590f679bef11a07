from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Pages that stay right while rows are added (a registration opening): an opaque cursor, not a page number.
    Each view's `ordering` must end in a unique column."""

    ordering = ("-pk",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
