"""The change history of one record: who changed what, when, from what to what (django-simple-history).

Generic: any model of our apps with `history = HistoricalRecords()` has the page /history/<app>/<model>/<id>/.
The record is mapped to its branch by its foreign-key path (also for a deleted record, from its last history row),
and branch.access decides: the branch's secretary and the township's reviewer (and admin) read it.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import render

from branch import access
from branch.models import Branch

from .backup import OUR_APPS, path_to

HISTORY_READERS = ("admin", access.Role.SECRETARY, access.Role.TOWNSHIP)
ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
EMPTY = "（空）"


def tracked_model(app_label: str, model_name: str):
    """A model of our apps that keeps history, or 404."""
    if app_label not in OUR_APPS:
        raise Http404("没有这类记录")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as exc:
        raise Http404("没有这类记录") from exc
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    if manager_name is None:
        raise Http404("这类记录不保留修改历史")
    return model, getattr(model, manager_name)


def branch_id_of(history_row) -> int | None:
    """The branch a history row belongs to, through its foreign keys (works after the record was deleted)."""
    historical = type(history_row)
    path = path_to(historical, Branch)
    if path is None:
        return None
    if path == "":
        return history_row.id
    return historical.objects.filter(pk=history_row.pk).values_list(f"{path}_id", flat=True).first()


def _tracked_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.editable]


def _display(field: models.Field, value, related: dict) -> str:
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        obj = related[field.related_model].get(value)
        return str(obj) if obj is not None else f"#{value}（已删除）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def history_entries(model, rows) -> list[dict]:
    """Rows oldest first → entries newest first, each with its changed fields (before → after)."""
    fields = _tracked_fields(model)
    wanted = defaultdict(set)
    for row in rows:
        for f in fields:
            if f.is_relation and getattr(row, f.attname) is not None:
                wanted[f.related_model].add(getattr(row, f.attname))
    related = {m: m._base_manager.in_bulk(ids) for m, ids in wanted.items()}
    entries = []
    previous = None
    for row in rows:
        changes = []
        for f in fields:
            new = getattr(row, f.attname)
            old = getattr(previous, f.attname) if previous is not None else None
            if previous is None and row.history_type == "+" and new in (None, ""):
                continue
            if previous is not None and old == new:
                continue
            if previous is None and row.history_type != "+":
                old = None
            changes.append(
                {
                    "field": str(f.verbose_name),
                    "before": _display(f, old, related) if previous is not None else "",
                    "after": _display(f, new, related) if row.history_type != "-" else EMPTY,
                }
            )
        user = row.history_user
        who = "（系统）"
        if user is not None:
            member = getattr(user, "member", None)
            who = f"{member.name}（{user.username}）" if member else user.username
        entries.append(
            {
                "when": row.history_date,
                "who": who,
                "action": ACTIONS.get(row.history_type, row.history_type),
                "changes": changes if row.history_type != "-" else [],
                "reason": row.history_change_reason or "",
            }
        )
        previous = row
    return list(reversed(entries))


@login_required
def history_page(request, app_label, model_name, pk):
    model, manager = tracked_model(app_label, model_name)
    rows = list(
        manager.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user__member")
        .order_by("history_date", "history_id")
    )
    if not rows:
        raise Http404("没有这条记录的修改历史")
    branch_id = branch_id_of(rows[-1])
    if branch_id is None and not request.user.is_superuser:
        raise Http404("没有这条记录的修改历史")
    if branch_id is not None:
        access.access_branch(request.user, branch_id)
    if access.role_of(request.user) not in HISTORY_READERS:
        raise PermissionDenied("仅支部书记和镇党委审核人可以查看修改记录")
    current = model._base_manager.filter(pk=pk).first()
    context = {
        "model_name": model._meta.verbose_name,
        "record": current or rows[-1],
        "deleted": current is None,
        "entries": history_entries(model, rows),
    }
    return render(request, "ops/history.html", context)
