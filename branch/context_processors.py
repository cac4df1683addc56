import re

from django.utils.functional import SimpleLazyObject

from .access import role_of, years_of

_HAS_ID = re.compile(r"/\d+(/|$)")


def scope(request):
    return {"role": role_of(getattr(request, "user", None))}


def _year_links(request) -> list[tuple[int, str]]:
    """(year, address) for every year this login may see. The same page under another year where the address names no
    record (a record belongs to one year); otherwise that year's first page."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return []
    script = request.META.get("SCRIPT_NAME", "").rstrip("/")
    rest = (
        request.path_info if getattr(request, "year", None) and not _HAS_ID.search(request.path_info) else "/"
    )
    return [(y, f"{script}/{y}{rest}") for y in years_of(user)]


def years(request):
    """The year switcher (one query, only when a page shows it)."""
    return {
        "nav_years": SimpleLazyObject(lambda: _year_links(request)),
        "nav_year": getattr(request, "year", None),
    }
