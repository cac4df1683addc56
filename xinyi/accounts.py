"""Logins: the secretary (for their branch) and admin unlock accounts and reset passwords.

A member changes their own password with Django's PasswordChangeView (templates/registration/).
Failed logins are counted by django-axes per login and address (settings: AXES_*); a lock ends by itself after
the cool-off, and unlocking deletes the login's failure records at every address.
"""

from __future__ import annotations

import secrets

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branch import access, services
from branch.models import Member, Scope

from .models import TemporaryPassword

User = get_user_model()
# No 0/O, 1/l/I: read aloud over the phone or copied from a screen without mistakes.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def failures_by_username(usernames) -> dict[str, int]:
    """Failures of each login at the address that failed most, within the cool-off.

    django-axes counts a login per address (AXES_LOCKOUT_PARAMETERS): five failures here and five there lock
    nothing, so the largest count, not the sum, tells whether the login is locked somewhere.
    """
    rows = (
        AccessAttempt.objects.filter(
            username__in=list(usernames), attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
        )
        .values("username")
        .annotate(n=Max("failures_since_start"))
    )
    return {r["username"]: r["n"] for r in rows}


def temporary_password(user) -> str:
    """A random password that Django's validators accept for this user."""
    while True:
        candidate = "".join(secrets.choice(TEMP_ALPHABET) for _ in range(12))
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


@transaction.atomic
def account_unlock(*, user) -> int:
    return axes_reset(username=user.username)


@transaction.atomic
def account_password_reset(*, user) -> str:
    password = temporary_password(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    TemporaryPassword.objects.update_or_create(user=user, defaults={"password_hash": user.password})
    axes_reset(username=user.username)
    return password


@never_cache
@login_required
@require_POST
def account_create_view(request, member_id):
    """The secretary opens a login for a member of their branch; the temporary password is shown once."""
    branch = access.secretary_branch(request.user)
    member = get_object_or_404(Member.objects.active().filter(branch=branch, user__isnull=True), pk=member_id)
    username = (request.POST.get("username") or "").strip()
    # The role that fits the person's post: 支委 (records talks) for a committee member, 党员 otherwise.
    from branch.selectors import committee_on

    on_committee = any(
        p.member_id == member.pk for p in committee_on(branch=branch, day=timezone.localdate())
    )
    try:
        user = services.account_create(
            username=username,
            password=secrets.token_urlsafe(16),  # replaced at once by a readable temporary password
            role=Scope.Role.COMMITTEE if on_committee else Scope.Role.MEMBER,
            member=member,
            branch=branch,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"{member.name}：{message}")
        return redirect("account_list")
    password = account_password_reset(user=user)
    return render(
        request, "ops/account_password.html", {"target": user, "password": password, "created_for": member}
    )


@login_required
def account_list(request):
    users = list(access.accounts_visible(request.user).select_related("member", "scope").order_by("username"))
    failures = failures_by_username(u.username for u in users)
    limit = settings.AXES_FAILURE_LIMIT
    rows = [
        {
            "user": u,
            "member": getattr(u, "member", None),
            "failures": failures.get(u.username, 0),
            "locked": failures.get(u.username, 0) >= limit,
        }
        for u in users
    ]
    without_login = []
    if not request.user.is_superuser:
        from branch.selectors import committee_on

        branch = access.secretary_branch(request.user)
        on_committee = {p.member_id for p in committee_on(branch=branch, day=timezone.localdate())}
        without_login = list(
            Member.objects.active().filter(branch=branch, user__isnull=True).order_by("name")
        )
        for m in without_login:
            m.login_role = Scope.Role.COMMITTEE.label if m.pk in on_committee else Scope.Role.MEMBER.label
    return render(
        request,
        "ops/account_list.html",
        {
            "rows": rows,
            "limit": limit,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "without_login": without_login,
        },
    )


@login_required
@require_POST
def account_unlock_view(request, user_id):
    target = access.access_account(request.user, user_id)
    account_unlock(user=target)
    messages.success(request, f"已解锁账号 {target.username}")
    return redirect("account_list")


@never_cache
@login_required
@require_POST
def account_password_reset_view(request, user_id):
    """The new password is shown once, on this response; it is stored only as a hash."""
    target = access.access_account(request.user, user_id)
    password = account_password_reset(user=target)
    return render(request, "ops/account_password.html", {"target": target, "password": password})
