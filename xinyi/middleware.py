"""Request-level guards that every page shares."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render


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
