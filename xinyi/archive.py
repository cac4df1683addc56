"""The archive (R7.2): the cycle's records of one branch as one A4 PDF, generated from the facts already entered (R0.4).

Cover, contents, the roster as it stood on the meeting day, each step's own fragment (templates/<app>/archive_<part>.html
with its selectors' archive_context), then the rule checks. A step not yet recorded or not yet built is named as missing;
the archive is still produced. Nothing here can link a voter to a ballot: the appraisal fragment holds tallies only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from branch import access
from branch.models import Branch, CommitteePost, Cycle, Member
from branch.pdf import render_pdf
from branch.selectors import committee_on

from . import checks as rule_checks
from . import progress
from .checks import cn_date

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


def archive_pdf(*, cycle: Cycle, branch: Branch, today: date | None = None) -> bytes:
    return render_pdf("archive/archive.html", archive_context(cycle=cycle, branch=branch, today=today))


def filename(*, cycle: Cycle, branch: Branch) -> str:
    return f"{branch.name}{cycle.year}年度组织生活会档案.pdf"


def archive_bytes(*, cycle: Cycle, branch: Branch) -> tuple[bytes, str]:
    """What every download of a year's archive serves: the file stored when the cycle closed (and its sha256), or a
    fresh rendering from the records while it is open ("" for the sha256)."""
    from .cycles import frozen

    bc = frozen(cycle=cycle, branch=branch)
    if bc is None:
        return archive_pdf(cycle=cycle, branch=branch), ""
    with bc.archive.open("rb") as f:
        return f.read(), bc.archive_sha256


def _pdf(request, branch: Branch):
    from urllib.parse import quote

    cycle = access.cycle_for_branch(request, branch)
    data, sha256 = archive_bytes(cycle=cycle, branch=branch)
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
