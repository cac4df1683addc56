"""Request-level guards that every page shares."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import set_script_prefix

from branch import access


def _too_large(request, limit: int):
    megabytes = max(1, limit // (1024 * 1024))
    return render(request, "413.html", {"limit_mb": megabytes}, status=413)


class UploadLimitMiddleware:
    """Refuse a request body over UPLOAD_MAX_BYTES with a Chinese page (413), before a view or CSRF reads it.

    Django's own DATA_UPLOAD_MAX_MEMORY_SIZE (form fields without files) raises RequestDataTooBig when a view
    reads request.POST; that is turned into the same page here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.UPLOAD_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return _too_large(request, limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return _too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None


# Addresses that belong to no year: the admin, logins, change history, files. Every other page is a cycle's.
YEARLESS_PREFIXES = ("/admin/", "/accounts/", "/history/", "/static/", "/media/", "/favicon.ico", "/healthz")
_YEAR_PATH = re.compile(r"^/(?P<year>[12][0-9]{3})(?P<rest>/.*)$")


class YearMiddleware:
    """The year in every address: /2018/dashboard/ is the dashboard of the 2018 cycle.

    The year is a mount point, the way a SCRIPT_NAME is: the rest of the path is resolved as usual, and while the
    request runs `reverse()` and `{% url %}` answer under the same year, so every link of a 2018 page stays in 2018.
    The cycle is resolved once, through branch.access (`access_cycle`), into `request.cycle`, before the view runs;
    an unknown year is a Chinese 404. A year-less page address redirects to the user's current year.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.year = None
        request.cycle = None
        match = _YEAR_PATH.match(request.path_info)
        if match:
            request.year = int(match["year"])
            request.path_info = match["rest"]
            script = request.META.get("SCRIPT_NAME", "").rstrip("/")
            set_script_prefix(f"{script}/{request.year}/")
        elif not request.path_info.startswith(YEARLESS_PREFIXES) and request.user.is_authenticated:
            year = access.current_year(request.user)
            if year is not None and request.path_info == "/":
                # The home page answers under the current year: each role lands on its page in one redirect.
                request.year = year
                set_script_prefix(f"{request.META.get('SCRIPT_NAME', '').rstrip('/')}/{year}/")
            elif year is not None:
                target = f"{request.META.get('SCRIPT_NAME', '').rstrip('/')}/{year}{request.path_info}"
                if request.META.get("QUERY_STRING"):
                    target += "?" + request.META["QUERY_STRING"]
                if request.method in ("GET", "HEAD"):
                    return HttpResponseRedirect(target)
                return HttpResponseRedirect(target, status=307)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.year is None or not request.user.is_authenticated:
            return None
        request.cycle = access.access_cycle(request.user, request.year)
        # Logging out, changing one's password, the admin: not a record of the year (their links carry the year only
        # because every link of a year's page does).
        writes_the_year = not request.path_info.startswith(YEARLESS_PREFIXES)
        if getattr(view_func, "level_act", False) and access.is_level_reviewer(request.user):
            writes_the_year = False  # a banner opening a year: the view checks its own rule
        if writes_the_year and request.method not in ("GET", "HEAD", "OPTIONS"):
            refusal = access.cycle_write_refusal_for(
                request.user, request.cycle, tail=getattr(view_func, "cycle_tail", False)
            )
            if refusal:
                raise PermissionDenied(refusal)
        return None


# ---------------------------------------------------------------- a temporary password must be changed (issue 13)

TEMPORARY_PASSWORD_SESSION_KEY = "xinyi_temporary_password"
_OPEN_WITH_TEMPORARY_PASSWORD = (
    "/accounts/password_change/",
    "/accounts/logout/",
    "/accounts/login/",
    "/static/",
)


def note_temporary_password(sender, request, user, **kwargs):
    """At login (user_logged_in), remember in the session whether the password is one given out to be changed.

    Read once per login, so the pages of a user with their own password pay no query for this check.
    """
    from .models import TemporaryPassword

    if request is None or not hasattr(request, "session"):
        return
    issued = TemporaryPassword.objects.filter(user=user, password_hash=user.password).exists()
    if issued:
        # The HMAC Django already keeps for the session (never the hash itself): it changes with the password.
        request.session[TEMPORARY_PASSWORD_SESSION_KEY] = user.get_session_auth_hash()
    else:
        request.session.pop(TEMPORARY_PASSWORD_SESSION_KEY, None)


class TemporaryPasswordMiddleware:
    """A login opened or reset with a temporary password goes to the password change page until it is changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        issued = getattr(request, "session", {}).get(TEMPORARY_PASSWORD_SESSION_KEY)
        user = getattr(request, "user", None)
        if issued and user is not None and user.is_authenticated:
            if user.get_session_auth_hash() != issued:  # changed since: the user chose their own
                from .models import TemporaryPassword

                TemporaryPassword.objects.filter(user=user).delete()
                del request.session[TEMPORARY_PASSWORD_SESSION_KEY]
            elif not request.path_info.startswith(_OPEN_WITH_TEMPORARY_PASSWORD):
                from django.contrib import messages

                messages.warning(request, "您正在使用临时密码，请先设置自己的新密码，然后再使用系统")
                return HttpResponseRedirect("/accounts/password_change/")
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A GET on a POST-only address (require_POST answers 405 with an empty body) gets a Chinese page (issue 13).

    Typing or bookmarking the address of a button (撤销、解锁、重置密码) is what a user does by mistake; a blank page
    tells them nothing. The status and the Allow header stay as Django set them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.method == "HEAD":
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
