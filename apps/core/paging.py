"""Reading the page of a paginated list from the query string (pages) or its parameters (API)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


def page_number(request, param: str = "page") -> int:
    """The page asked for (1 when missing or not a number)."""
    try:
        return max(1, int(request.GET.get(param, 1)))
    except ValueError:
        return 1


def querystring_without_page(request, param: str = "page") -> str:
    """The current filters, to build the links of the other pages."""
    params = request.GET.copy()
    params.pop(param, None)
    return params.urlencode()


# The API's lists: page numbers past this are refused (422) rather than turned into an
# OFFSET no database column holds (PostgreSQL's bigint overflows near page 10**17).
MAX_API_PAGE = 100_000


class ApiPageNumberPagination(PageNumberPagination):
    """django-ninja's page-number pagination with the page bounded (a larger one is a 422)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_API_PAGE)
        page_size: int | None = Field(None, ge=1, le=1_000)
