"""Reads that an app to the right provides to a page of an app to its left, without the left one importing it.

CONVENTIONS keeps imports one way (branch ← meetings ← appraisal ← rectification). The next 述职 (R4.1, R6.3) in
meetings and the self-appraisal (R5.1) in appraisal show what rectification knows of last year; settings name the
function that answers (`XINYI_PROVIDERS`), the way AUTH_USER_MODEL names a model, and a page without one shows nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def provider(name: str):
    """The function settings.XINYI_PROVIDERS names for `name`, or None."""
    path = getattr(settings, "XINYI_PROVIDERS", {}).get(name)
    return import_string(path) if path else None
