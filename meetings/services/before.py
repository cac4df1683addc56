"""Every write before the meeting: study sessions and deliveries (R1), talks (R2), problems (R3).

Each function checks the rule it enforces and raises ValidationError with a Chinese message; nothing is saved then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from branch.models import Branch, CommitteePost, Cycle, Member
from branch.selectors import cycle_members

from ..models import Meeting, Problem, RequiredMaterial, StudyAttendance, StudySession, Talk


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _check_in_cycle(cycle: Cycle, day: date, field: str) -> None:
    if day < cycle.starts_on or day > cycle.deadline:
        raise ValidationError(
            {field: f"日期须在本年度组织生活会期间（{_cn(cycle.starts_on)}至{_cn(cycle.deadline)}）"}
        )


def _on_committee(member: Member, day: date) -> bool:
    return (
        CommitteePost.objects.filter(member=member, branch_id=member.branch_id, term_start__lte=day)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=day))
        .exists()
    )


# ---------------------------------------------------------------- R1 study


@transaction.atomic
def study_session_record(
    *,
    cycle: Cycle,
    branch: Branch,
    held_on: date,
    form: str,
    present: Iterable[Member],
    absent: Mapping[Member, str],
    materials: Iterable[RequiredMaterial] = (),
    place: str = "",
    leader: Member | None = None,
    other_content: str = "",
) -> StudySession:
    """R1.1–R1.3: one collective study session with the attendance of the whole roster, saved all or nothing."""
    present = list(present)
    absent = dict(absent)
    materials = list(materials)
    _check_in_cycle(cycle, held_on, "held_on")
    if not present:
        raise ValidationError({"attendance": "集中学习至少要有一名党员出席"})
    # The cycle's own roster: today's active members until its meeting fixes the list, the fixed list after.
    roster_ids = set(cycle_members(cycle=cycle, branch=branch).values_list("pk", flat=True))
    present_ids = {m.pk for m in present}
    absent_ids = {m.pk for m in absent}
    if present_ids & absent_ids:
        raise ValidationError({"attendance": "同一名党员不能既出席又缺席"})
    strangers = [m.name for m in [*present, *absent] if m.pk not in roster_ids]
    if strangers:
        raise ValidationError({"attendance": f"不是本支部在册党员：{'、'.join(strangers)}"})
    unmarked = roster_ids - present_ids - absent_ids
    if unmarked:
        names = Member.objects.filter(pk__in=unmarked).order_by("name").values_list("name", flat=True)
        raise ValidationError({"attendance": f"请为全体党员登记出勤，尚未登记：{'、'.join(names)}"})
    no_reason = [m.name for m, reason in absent.items() if not (reason or "").strip()]
    if no_reason:
        raise ValidationError({"attendance": f"缺席须写明原因：{'、'.join(no_reason)}"})
    too_long = [m.name for m, reason in absent.items() if len(reason.strip()) > 60]
    if too_long:
        raise ValidationError({"attendance": f"缺席原因请控制在60字以内：{'、'.join(too_long)}"})
    if leader is not None and leader.branch_id != branch.pk:
        raise ValidationError({"leader": "领学人须是本支部党员"})
    if any(m.cycle_id != cycle.pk for m in materials):
        raise ValidationError({"materials": "必学内容不属于本年度"})
    if not materials and not other_content.strip():
        raise ValidationError({"materials": "请选择学习的必学内容或填写其他学习内容"})

    session = StudySession(
        cycle=cycle,
        branch=branch,
        held_on=held_on,
        form=form,
        place=place.strip(),
        leader=leader,
        other_content=other_content.strip(),
    )
    session.full_clean()
    session.save()
    session.materials.set(materials)
    rows = [StudyAttendance(session=session, member=m, present=True) for m in present]
    rows += [
        StudyAttendance(session=session, member=m, present=False, absence_reason=reason.strip())
        for m, reason in absent.items()
    ]
    bulk_create_with_history(rows, StudyAttendance)  # one query, and each row's history (who recorded it)
    return session


@transaction.atomic
def study_delivery_record(
    *, attendance: StudyAttendance, delivered_on: date, method: str, by: Member
) -> StudyAttendance:
    """R1.3: an absent member got the materials and the requirements: when, how and by whom."""
    attendance = (
        StudyAttendance.objects.select_for_update().select_related("session", "member").get(pk=attendance.pk)
    )
    session = attendance.session
    if attendance.present:
        raise ValidationError("该党员出席了集中学习，无需送学")
    if attendance.delivered_on:
        raise ValidationError(f"已于{_cn(attendance.delivered_on)}送学，不能重复登记")
    if delivered_on < session.held_on:
        raise ValidationError({"delivered_on": "送学日期不能早于集中学习日期"})
    _check_in_cycle(session.cycle, delivered_on, "delivered_on")
    if method not in StudyAttendance.Delivery.values:
        raise ValidationError({"delivery_method": "请选择送学方式"})
    if by.branch_id != session.branch_id:
        raise ValidationError({"delivered_by": "送学人须是本支部党员"})
    if by.pk == attendance.member_id:
        raise ValidationError({"delivered_by": "送学人不能是缺席党员本人"})
    attendance.delivered_on = delivered_on
    attendance.delivery_method = method
    attendance.delivered_by = by
    attendance.full_clean()
    attendance.save()
    return attendance


# ---------------------------------------------------------------- R2 talks


@transaction.atomic
def talk_record(
    *,
    cycle: Cycle,
    by: Member,
    with_: Member,
    held_on: date,
    means: str = Talk.Means.FACE,
    place: str = "",
    opinions_on_branch: str = "",
    opinions_on_committee: str = "",
    member_situation: str = "",
    recorded_by=None,
) -> Talk:
    """R2.1–R2.2: a heart-to-heart talk held by a committee member with another member of the branch.

    A talk is a conversation between two people: A talking with B and B talking with A on the same day are the
    same talk, recorded once.
    """
    if by.pk == with_.pk:
        raise ValidationError({"with_member": "不能与本人谈心谈话"})
    if by.branch_id != with_.branch_id:
        raise ValidationError({"with_member": "谈话双方须是同一党支部的党员"})
    if not with_.is_active:
        raise ValidationError({"with_member": "谈话对象已转出或去世"})
    _check_in_cycle(cycle, held_on, "held_on")
    if not _on_committee(by, held_on):
        raise ValidationError({"by": f"{by.name}在{_cn(held_on)}不是支部委员，不能作为谈话人"})
    meeting = Meeting.objects.filter(cycle=cycle, branch_id=by.branch_id, held_on__isnull=False).first()
    if meeting is not None and held_on > meeting.held_on:
        raise ValidationError(
            {
                "held_on": f"组织生活会已于{_cn(meeting.held_on)}召开，"
                "会后的谈话不计入本年度谈心谈话（谈心谈话为会议作准备）"
            }
        )
    same_pair = Q(by=by, with_member=with_) | Q(by=with_, with_member=by)
    if Talk.objects.filter(same_pair, held_on=held_on).exists():
        raise ValidationError({"held_on": f"{by.name}与{with_.name}在当天的谈话已经登记过"})
    talk = Talk(
        cycle=cycle,
        branch_id=by.branch_id,
        held_on=held_on,
        by=by,
        with_member=with_,
        means=means,
        place=place.strip(),
        opinions_on_branch=opinions_on_branch.strip(),
        opinions_on_committee=opinions_on_committee.strip(),
        member_situation=member_situation.strip(),
        recorded_by=recorded_by,
    )
    talk.full_clean()
    talk.save()
    return talk


# ---------------------------------------------------------------- R3 problems


def _check_problem(problem: Problem) -> None:
    if problem.member_id is None and problem.area not in Problem.COMMITTEE_AREAS:
        raise ValidationError({"area": "支委会的问题须属于工作方案R3.1的六个方面之一"})
    if problem.member_id is not None and problem.area not in Problem.MEMBER_AREAS:
        raise ValidationError({"area": "党员的问题须属于工作方案R3.2所列方面之一"})
    if problem.member_id is not None and problem.member.branch_id != problem.branch_id:
        raise ValidationError({"member": "该党员不属于本支部"})
    if not problem.text.strip():
        raise ValidationError({"text": "请填写问题"})


def _check_talks(problem: Problem, talks: list[Talk]) -> None:
    for talk in talks:
        if talk.branch_id != problem.branch_id or talk.cycle_id != problem.cycle_id:
            raise ValidationError({"talks": "只能关联本支部本年度的谈心谈话"})


@transaction.atomic
def problem_record(
    *,
    cycle: Cycle,
    branch: Branch,
    area: str,
    text: str,
    member: Member | None = None,
    talks: Iterable[Talk] = (),
) -> Problem:
    """R3.1 (member=None: the committee's problem) or R3.2 (a member's own problem); R3.3 its source talks."""
    talks = list(talks)
    problem = Problem(cycle=cycle, branch=branch, member=member, area=area, text=text.strip())
    _check_problem(problem)
    _check_talks(problem, talks)
    problem.full_clean()
    problem.save()
    if talks:
        problem.talks.set(talks)
    return problem


@transaction.atomic
def problem_from_talk(*, talk: Talk, area: str, text: str, member: Member | None = None) -> Problem:
    """R3.3: an opinion heard in a talk becomes a problem that remembers where it came from."""
    if member is not None and member.pk not in (talk.by_id, talk.with_member_id):
        raise ValidationError({"member": "个人问题只能记在谈话双方之一名下"})
    return problem_record(
        cycle=talk.cycle, branch=talk.branch, area=area, text=text, member=member, talks=[talk]
    )


@transaction.atomic
def problem_link_talk(*, problem: Problem, talk: Talk) -> Problem:
    """R3.3: link an opinion already heard in a talk to a problem already on the list."""
    _check_talks(problem, [talk])
    if problem.talks.filter(pk=talk.pk).exists():
        raise ValidationError("该谈话已关联到此问题")
    problem.talks.add(talk)
    return problem


# ---------------------------------------------------------------- a new cycle's required materials (R1.2)


@transaction.atomic
def materials_copy(*, source: Cycle, target: Cycle) -> int:
    """R1.2: a new year starts from the last year's list of required materials; returns how many were copied.

    Titles the target already lists are kept as they are (its own order too), so copying twice adds nothing; the
    copied ones follow the target's own, in the source's order. The list stays editable on the target.
    """
    if source.pk == target.pk:
        raise ValidationError("不能把必学内容复制到同一年度")
    have = set(RequiredMaterial.objects.filter(cycle=target).values_list("title", flat=True))
    start = max(RequiredMaterial.objects.filter(cycle=target).values_list("order", flat=True), default=0)
    rows = [
        RequiredMaterial(cycle=target, title=m.title, order=start + i)
        for i, m in enumerate(
            (
                m
                for m in RequiredMaterial.objects.filter(cycle=source).order_by("order", "pk")
                if m.title not in have
            ),
            start=1,
        )
    ]
    for row in rows:
        row.full_clean(validate_unique=False)
    RequiredMaterial.objects.bulk_create(rows)
    return len(rows)
