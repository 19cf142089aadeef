"""Reading the page of a paginated list from the query string."""


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
