"""The archive (R7.2): the cycle's records of one branch as one A4 PDF, generated from the facts already entered (R0.4).

Cover, contents, the roster as it stood on the meeting day, each step's own fragment (templates/<app>/archive_<part>.html
with its selectors' archive_context), then the rule checks. A step not yet recorded or not yet built is named as missing;
the archive is still produced. Nothing here can link a voter to a ballot: the appraisal fragment holds tallies only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db.models import Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe

from branch import access
from branch.models import Branch, CommitteePost, Cycle, Member
from branch.pdf import html_pdf, render_html
from branch.selectors import committee_on

from . import checks as rule_checks
from . import progress
from .checks import cn_date
from .models import ArchiveRender

CN_NUMERALS = "一二三四五六七八九十"


@dataclass
class Section:
    anchor: str
    title: str
    html: str = ""
    missing: bool = False


def roster_on(*, branch: Branch, day: date) -> list[Member]:
    """Members of the branch on a day: joined by then and not yet left (a later transfer does not erase them)."""
    return list(
        Member.objects.filter(branch=branch, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .select_related("group")
        .order_by("group__name", "name")
    )


def archive_context(*, cycle: Cycle, branch: Branch, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    state = progress.for_branch(cycle=cycle, branch=branch, today=today)
    meeting = state.facts.meeting
    day = (meeting.held_on or meeting.planned_on) if meeting else today
    members = roster_on(branch=branch, day=day)
    posts = committee_on(branch=branch, day=day)
    post_of = {}
    for p in posts:
        post_of.setdefault(p.member_id, []).append(p.get_post_display())
    rows = [(m, "、".join(post_of.get(m.pk, [])), "、".join(m.focus_labels)) for m in members]

    sections = [Section("roster", "党员名册（召开会议时）")]
    missing = []
    base = {"branch": branch, "cycle": cycle, "meeting": meeting}
    for step in rule_checks.REGISTRY:
        module = rule_checks.load(step)
        if module is None or not hasattr(module, "archive_context"):
            missing.append(step.label)
            sections.append(Section(step.key, step.label, missing=True))
            continue
        ctx = {**base, **module.archive_context(cycle=cycle, branch=branch)}
        sections.append(
            Section(step.key, step.label, mark_safe(render_to_string(step.archive_template, ctx)))
        )  # noqa: S308 (our own templates, autoescaped)
    sections.append(Section("checks", "规则检查结果"))
    for i, s in enumerate(sections):
        s.title = f"{CN_NUMERALS[i]}、{s.title}"
    full = sum(1 for m in members if m.status == Member.Status.FULL)
    return {
        "branch": branch,
        "cycle": cycle,
        "meeting": meeting,
        "roster_day_cn": cn_date(day),
        "meeting_cn": cn_date(meeting.held_on) if meeting and meeting.held_on else "",
        "deadline_cn": cn_date(cycle.deadline),
        "generated_cn": cn_date(today),
        "rows": rows,
        "counts": {"total": len(members), "full": full, "probationary": len(members) - full},
        "secretary": next((p.member for p in posts if p.post == CommitteePost.Post.SECRETARY), None),
        "sections": sections,
        "missing": missing,
        "state": state,
    }


def archive_html(*, cycle: Cycle, branch: Branch, today: date | None = None) -> str:
    """What the archive PDF is laid out from. Its sha256 is the archive's state: equal facts, equal HTML."""
    return render_html("archive/archive.html", archive_context(cycle=cycle, branch=branch, today=today))


def archive_pdf(*, cycle: Cycle, branch: Branch, today: date | None = None) -> bytes:
    return html_pdf(archive_html(cycle=cycle, branch=branch, today=today))


def state_key(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def stored_render(*, cycle: Cycle, branch: Branch, key: str) -> ArchiveRender | None:
    """The finished rendering of exactly this state, if there is one."""
    return (
        ArchiveRender.objects.filter(branch=branch, cycle=cycle, key=key, status=ArchiveRender.Status.DONE)
        .exclude(file="")
        .first()
    )


def read_render(render: ArchiveRender) -> bytes:
    with render.file.open("rb") as f:
        return f.read()


def store_render(render: ArchiveRender, *, key: str, data: bytes) -> ArchiveRender:
    """Keep a rendering's PDF; the older renderings of the same branch and year (other states) and their files go."""
    render.file.save(f"{render.branch_id}-{render.cycle_id}-{key[:16]}.pdf", ContentFile(data), save=False)
    render.key = key
    render.sha256 = hashlib.sha256(data).hexdigest()
    render.status = ArchiveRender.Status.DONE
    render.finished = timezone.now()
    render.save(update_fields=["file", "key", "sha256", "status", "finished"])
    older = ArchiveRender.objects.filter(branch_id=render.branch_id, cycle_id=render.cycle_id).exclude(
        pk=render.pk
    )
    for old in older.exclude(status__in=ArchiveRender.ACTIVE):
        if old.file:
            old.file.delete(save=False)
        old.delete()
    return render


def filename(*, cycle: Cycle, branch: Branch) -> str:
    return f"{branch.name}{cycle.year}年度组织生活会档案.pdf"


def archive_bytes(*, cycle: Cycle, branch: Branch) -> tuple[bytes, str]:
    """What every download of a year's archive serves: the file stored when the cycle closed (and its sha256), or a
    fresh rendering from the records while it is open ("" for the sha256)."""
    from .cycles import frozen

    bc = frozen(cycle=cycle, branch=branch)
    if bc is not None:
        with bc.archive.open("rb") as f:
            return f.read(), bc.archive_sha256
    day = timezone.localdate()
    html = archive_html(cycle=cycle, branch=branch, today=day)
    key = state_key(html)
    render = stored_render(cycle=cycle, branch=branch, key=key)
    if render is not None:
        return read_render(render), ""
    data = html_pdf(html)
    render = ArchiveRender(branch=branch, cycle=cycle, day=day, status=ArchiveRender.Status.RUNNING)
    render.save()
    store_render(render, key=key, data=data)
    return data, ""


@dataclass
class Download:
    """What a download of the archive finds: the PDF (stored or frozen), or the rendering under way or failed."""

    data: bytes | None = None
    sha256: str = ""  # a closed year's frozen file only
    render: ArchiveRender | None = None


def archive_download(*, cycle: Cycle, branch: Branch, user, retry: bool = False) -> Download:
    """The archive of a branch's year for a download (issue 15): a closed year's frozen file; an open year's stored
    rendering of the current state; else a rendering asked of the background worker (one at a time per branch and
    year), whose progress the page shows until the file is there. A rendering that failed on this same state is shown
    as failed until the user asks again (`retry`), so a page that reloads itself does not loop on an error."""
    from .cycles import frozen
    from .tasks import STALE_ERROR, archive_render_request, renders_fail_stale

    bc = frozen(cycle=cycle, branch=branch)
    if bc is not None:
        with bc.archive.open("rb") as f:
            return Download(data=f.read(), sha256=bc.archive_sha256)
    renders_fail_stale(branch=branch, cycle=cycle)
    active = ArchiveRender.objects.filter(branch=branch, cycle=cycle, status__in=ArchiveRender.ACTIVE).first()
    if active is not None:
        return Download(render=active)
    day = timezone.localdate()
    key = state_key(archive_html(cycle=cycle, branch=branch, today=day))
    render = stored_render(cycle=cycle, branch=branch, key=key)
    if render is not None:
        return Download(data=read_render(render), render=render)
    last = ArchiveRender.objects.filter(branch=branch, cycle=cycle).first()
    failed_here = last is not None and last.status == ArchiveRender.Status.FAILED and last.key == key
    if failed_here and last.error != STALE_ERROR and not retry:  # a lost worker is no reason to stop asking
        return Download(render=last)
    return Download(render=archive_render_request(branch=branch, cycle=cycle, user=user, day=day, key=key))


def _pdf(request, branch: Branch):
    from urllib.parse import quote

    cycle = access.cycle_for_branch(request, branch)
    found = archive_download(cycle=cycle, branch=branch, user=request.user, retry="retry" in request.GET)
    if found.data is None:
        render = found.render
        waited = int((timezone.now() - render.created).total_seconds())
        context = {"branch": branch, "cycle": cycle, "render": render, "waited": waited}
        return TemplateResponse(
            request, "xinyi/archive_wait.html", context, status=202 if render.is_active else 200
        )
    data, sha256 = found.data, found.sha256
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{quote(filename(cycle=cycle, branch=branch))}"
    )
    if sha256:
        response["X-Archive-SHA256"] = sha256
    return response


@login_required
def branch_archive(request):
    """The dashboard's button: the secretary's or committee's own branch."""
    return _pdf(request, access.staff_branch(request.user))


@login_required
def township_branch_archive(request, pk):
    """A reviewer downloads the archive of a branch of their own township."""

    return _pdf(request, access.access_township_branch(request.user, pk))
