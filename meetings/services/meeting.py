"""Every write on the 组织生活会 (R4): planning and preparation, holding it, attendance, the points spoken.

Decisions where the plan is silent (see also the selectors):
- A meeting held after the cycle's deadline (R0.1) is allowed — a late meeting is better than none — and the R0.1 check
  flags it. A date before the cycle's year, or a held date after today, is refused.
- "在流入地党组织参加" (R4.6) is for 流动党员 only: for anyone else it is refused, since the plan allows it only for mobile
  members who cannot come back. "返乡后补课参加" (元旦/春节) is open to everyone who was away, with the date of that session.
- The plan's simple flexible forms (R4.6, R7.1) are for 离退休, 流动党员, 非公有制经济组织 and 社会组织 branches only
  (`Branch.uses_flexible_forms`); any other branch is refused them in Chinese:
  - 按党小组分别召开: each group's session is recorded (group, day, place); the meeting is held on the day the last
    group met, so that day cannot be before a session, and a session cannot be after it;
  - 在外参加: a 流动党员 takes part where they now are, with where and how, and counts as taking part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from branch.models import Branch, Cycle, Member
from branch.selectors import committee_on, cycle_members, cycle_roster, secretary_of
from branch.services import branch_cycle_fix_roster

from ..models import Meeting, MeetingAttendance, MeetingGroupSession, Speech
from ..selectors.meeting import FLEXIBLE_ONLY, report_annex

GENERAL_MEETING = Meeting.Form.GENERAL  # R0.2
BY_GROUPS = Meeting.Form.BY_GROUPS  # R4.6, R7.1

MEETING_FIELDS = {
    "planned_on",
    "place",
    "form",
    "township_contacted_on",
    "township_agreed_on",
    "township_agreed_form",
    "township_invited",
    "township_attendee",
    "members_notified_on",
}


def _check_meeting(meeting: Meeting) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    cycle = meeting.cycle
    contacted = meeting.township_contacted_on
    for field, label in (
        ("planned_on", "计划日期"),
        ("held_on", "召开日期"),
        ("township_contacted_on", "与镇党委沟通日期"),
        ("township_agreed_on", "商定的召开日期"),
        ("members_notified_on", "通知党员日期"),
    ):
        day = getattr(meeting, field)
        if day is not None and day < cycle.starts_on:
            add(field, f"{label}不能早于{cycle.year}年度（{cycle.starts_on:%Y年%m月%d日}起）")
    if contacted and meeting.held_on and meeting.held_on < contacted:
        add("held_on", "会议召开日期不能早于与镇党委沟通的日期（依据工作方案 R4.5：会前先与上级党委沟通）")
    if contacted and meeting.planned_on and meeting.planned_on < contacted:
        add("planned_on", "会议计划日期不能早于与镇党委沟通的日期（依据工作方案 R4.5）")
    if contacted and meeting.township_agreed_on and meeting.township_agreed_on < contacted:
        add("township_agreed_on", "商定的召开日期不能早于与镇党委沟通的日期")
    if (meeting.township_agreed_on or meeting.township_agreed_form) and not contacted:
        add("township_contacted_on", "填写了与镇党委商定的日期或开法，请同时填写沟通日期")
    if meeting.township_attendee and not meeting.township_invited:
        add("township_invited", "填写了镇党委到会指导人员，请勾选“已邀请镇党委派员指导”")
    notified = meeting.members_notified_on
    if notified and meeting.held_on and notified > meeting.held_on:
        add("members_notified_on", "通知党员日期不能晚于会议召开日期（依据工作方案 R4.5：提前通知党员）")
    if meeting.held_on and meeting.held_on > timezone.localdate():
        add("held_on", "召开日期不能晚于今天：会议召开后再登记")
    if not (meeting.form or "").strip():
        add("form", "请填写会议形式（依据工作方案 R0.2：以党支部党员大会的形式召开）")
    elif meeting.form not in Meeting.Form.values:
        add("form", "请选择会议形式：党员大会，或（简便灵活方式）按党小组分别召开")
    elif meeting.by_groups and not meeting.branch.uses_flexible_forms:
        add(
            "form",
            f"按党小组分别召开{FLEXIBLE_ONLY}；本支部为{meeting.branch.get_kind_display()}党支部，"
            "请以党支部党员大会形式召开（R0.2）",
        )
    if meeting.pk and not meeting.by_groups and meeting.group_sessions.exists():
        add("form", "已登记党小组会，改为集中召开前请先删除各党小组会的记录")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_plan(*, cycle: Cycle, branch: Branch, planned_on: date, place: str, **fields) -> Meeting:
    """Plan the branch's one 组织生活会 of the cycle, with whatever preparation (R4.5) is already done."""
    unknown = set(fields) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    if Meeting.objects.filter(cycle=cycle, branch=branch).exists():
        raise ValidationError(
            f"{branch}{cycle.year}年度的组织生活会已经安排，每个支部每年度只召开一次，请修改已有的会议记录"
        )
    fields.setdefault("form", GENERAL_MEETING)
    meeting = Meeting(cycle=cycle, branch=branch, planned_on=planned_on, place=place, **fields)
    _check_meeting(meeting)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    unknown = set(fields) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting.objects.select_for_update().select_related("cycle", "branch").get(pk=meeting.pk)
    for key, value in fields.items():
        setattr(meeting, key, value)
    _check_meeting(meeting)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_hold(*, meeting: Meeting, held_on: date) -> Meeting:
    """Record that the meeting took place on a day (in person, R0.3), and fix the cycle's roster as of that day (R7.2).

    From then on every page, check and minutes of the cycle use that list: a later transfer, 转正 or new member
    changes nothing in it. A roster once fixed stays as it is, even if the held date is corrected afterwards.
    """
    caller_cycle = meeting.cycle
    meeting = Meeting.objects.select_for_update().select_related("cycle", "branch").get(pk=meeting.pk)
    meeting.held_on = held_on
    if meeting.by_groups:
        last = meeting.group_sessions.aggregate(m=Max("held_on"))["m"]
        if last is None:
            raise ValidationError(
                "按党小组分别召开的，请先登记各党小组开会的日期和地点，再登记会议召开（R4.6、R7.1）"
            )
        if held_on < last:
            raise ValidationError(
                f"按党小组分别召开的，召开日期为最后一个党小组开会的日期：不能早于 {last:%Y-%m-%d}"
            )
    _check_meeting(meeting)
    meeting.full_clean()
    meeting.save()
    # The caller's cycle object, so that its cached BranchCycle (branch.selectors.branch_cycle) is refreshed too.
    branch_cycle_fix_roster(cycle=caller_cycle, branch=meeting.branch, on=held_on)
    return meeting


# ---------------------------------------------------------------- the meeting by party groups (R4.6, R7.1)


@transaction.atomic
def group_session_record(
    *, meeting: Meeting, group_id: int, held_on: date, place: str
) -> MeetingGroupSession:
    """One party group's session of a meeting held by groups: added, or its day and place corrected."""
    meeting = Meeting.objects.select_for_update().select_related("cycle", "branch").get(pk=meeting.pk)
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not meeting.by_groups:
        raise ValidationError("本次会议为集中召开；要按党小组分别召开，请先把会议形式改为“按党小组分别召开”")
    if not meeting.branch.uses_flexible_forms:
        raise ValidationError(f"按党小组分别召开{FLEXIBLE_ONLY}")
    group = meeting.branch.groups.filter(pk=group_id).first()
    if group is None:
        add("group", "请选择本支部的党小组")
    place = (place or "").strip()
    if not place:
        add("place", "请填写党小组开会的地点")
    if held_on < meeting.cycle.starts_on:
        add(
            "held_on", f"开会日期不能早于{meeting.cycle.year}年度（{meeting.cycle.starts_on:%Y年%m月%d日}起）"
        )
    if held_on > timezone.localdate():
        add("held_on", "开会日期不能晚于今天：党小组开会后再登记")
    if meeting.township_contacted_on and held_on < meeting.township_contacted_on:
        add("held_on", "党小组开会日期不能早于与镇党委沟通的日期（依据工作方案 R4.5）")
    if meeting.held_on and held_on > meeting.held_on:
        add(
            "held_on",
            f"会议已登记于 {meeting.held_on:%Y-%m-%d} 召开（最后一个党小组开会的日期），党小组会不能晚于这一天",
        )
    if errors:
        raise ValidationError(errors)
    session = MeetingGroupSession.objects.filter(meeting=meeting, group=group).first() or MeetingGroupSession(
        meeting=meeting, group=group
    )
    session.held_on, session.place = held_on, place
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def group_session_delete(*, session: MeetingGroupSession) -> None:
    meeting = session.meeting
    if meeting.held_on and not meeting.group_sessions.exclude(pk=session.pk).exists():
        raise ValidationError("会议已登记召开，至少保留一个党小组会的记录")
    session.delete()


# ---------------------------------------------------------------- attendance (R4.6, R4.7)


@dataclass(frozen=True)
class AttendanceEntry:
    member_id: int
    status: str
    reason: str = ""
    elsewhere_org: str = ""
    elsewhere_on: date | None = None
    away_means: str = ""


def _attendance_row(meeting: Meeting, member: Member, entry: AttendanceEntry) -> tuple[dict, list[str]]:
    """The cleaned fields of one row, and the Chinese errors that name the member."""
    S = MeetingAttendance.Status
    errors = []
    who = member.name
    reason = entry.reason.strip()
    org = entry.elsewhere_org.strip()
    on = entry.elsewhere_on
    means = ""
    if entry.status not in S.values:
        return {}, [f"{who}：请选择出席情况"]
    if entry.status == S.PRESENT:
        reason, org, on = "", "", None
    elif entry.status == S.ABSENT:
        org, on = "", None
        if not reason:
            errors.append(f"{who}：缺席须填写原因（依据工作方案 R4.7）")
    elif entry.status == S.ELSEWHERE:
        if not member.is_mobile:
            errors.append(f"{who}：不是流动党员，不能登记为在流入地党组织参加（依据工作方案 R4.6）")
        if not org:
            errors.append(f"{who}：请填写参加组织生活会的流入地党组织")
        if on is None:
            errors.append(f"{who}：请填写在流入地参加的日期")
    elif entry.status == S.LATER:
        org = ""
        if on is None:
            errors.append(f"{who}：请填写返乡后补课参加的日期（元旦、春节期间）")
        elif meeting.held_on and on < meeting.held_on:
            errors.append(f"{who}：补课参加日期不能早于本次会议召开日期")
    elif entry.status == S.AWAY:
        means = entry.away_means
        if not meeting.branch.uses_flexible_forms:
            errors.append(
                f"{who}：在外参加{FLEXIBLE_ONLY}；本支部的流动党员请登记为在流入地党组织参加或返乡后补课参加"
            )
        elif not member.is_mobile:
            errors.append(f"{who}：不是流动党员，不能登记为在外参加（依据工作方案 R4.6）")
        if not org:
            errors.append(f"{who}：请填写在外参加的所在地（例如：北京市朝阳区）")
        if means not in MeetingAttendance.AwayMeans.values:
            errors.append(f"{who}：请选择在外参加的方式")
        if on is None:
            errors.append(f"{who}：请填写在外参加的日期")
    if on is not None and on < meeting.cycle.starts_on:
        errors.append(f"{who}：参加日期不能早于{meeting.cycle.year}年度")
    fields = {
        "status": entry.status,
        "reason": reason,
        "elsewhere_org": org,
        "elsewhere_on": on,
        "away_means": means,
    }
    return fields, errors


@transaction.atomic
def attendance_record(*, meeting: Meeting, entries: list[AttendanceEntry]) -> list[MeetingAttendance]:
    """The whole roster in one save: every active member once; any error and nothing is saved (R4.7)."""
    meeting = Meeting.objects.select_related("cycle", "branch").get(pk=meeting.pk)
    if not meeting.is_held:
        raise ValidationError("会议尚未召开，请先登记召开日期，再登记出席情况")
    # The cycle's roster, fixed when the meeting was held: who took part, with their focus flags of the cycle (R4.6).
    roster = {m.pk: m for m in cycle_roster(cycle=meeting.cycle, branch=meeting.branch)}
    errors: list[str] = []
    seen: set[int] = set()
    rows: dict[int, dict] = {}
    stranger_ids = {e.member_id for e in entries if e.member_id not in roster}
    strangers = {m.pk: m.name for m in Member.objects.filter(pk__in=stranger_ids)}
    for pk in sorted(stranger_ids):
        name = strangers.get(pk, "登记的党员")
        errors.append(f"{name} 不是{meeting.branch}的在册党员，不能登记出席情况")
    for entry in entries:
        member = roster.get(entry.member_id)
        if member is None:
            continue
        if entry.member_id in seen:
            errors.append(f"{member.name}：重复登记")
            continue
        seen.add(entry.member_id)
        fields, row_errors = _attendance_row(meeting, member, entry)
        errors.extend(row_errors)
        rows[member.pk] = fields
    missing = [m.name for pk, m in roster.items() if pk not in seen]
    if missing:
        errors.append("以下党员未登记出席情况：" + "、".join(sorted(missing)))
    if errors:
        raise ValidationError(errors)

    existing = {a.member_id: a for a in MeetingAttendance.objects.filter(meeting=meeting)}
    saved = []
    for member_id, fields in rows.items():
        row = existing.pop(member_id, None) or MeetingAttendance(meeting=meeting, member_id=member_id)
        if row.pk and all(getattr(row, key) == value for key, value in fields.items()):
            saved.append(row)  # unchanged: no write, no history entry
            continue
        for key, value in fields.items():
            setattr(row, key, value)
        # The (meeting, member) pair was checked above for the whole roster at once: skip its per-row query.
        row.full_clean(exclude=["meeting", "member"], validate_unique=False)
        row.save()
        saved.append(row)
    # Rows of members outside the cycle's roster stay untouched: the list is the one fixed when the meeting was held.
    return saved


# ---------------------------------------------------------------- the points spoken (R4.1–R4.4)

REPORT_KINDS = {Speech.Kind.REPORT, Speech.Kind.RECTIFICATION_REPORT}
COMMITTEE_KINDS = {Speech.Kind.COMMITTEE_SELF, Speech.Kind.COMMITTEE_MUTUAL}
NEEDS_TARGET = {Speech.Kind.COMMITTEE_MUTUAL, Speech.Kind.MEMBER_MUTUAL}
SELF_KINDS = {Speech.Kind.COMMITTEE_SELF, Speech.Kind.MEMBER_SELF}


def _check_speech(speech: Speech, meeting: Meeting) -> None:
    K = Speech.Kind
    errors: dict[str, str] = {}
    if not meeting.is_held:
        raise ValidationError("会议尚未召开，不能登记发言和批评意见（请先登记召开日期）")
    speaker = speech.speaker
    target = speech.target
    # Who took part is the cycle's roster (fixed when the meeting was held), not today's list.
    in_cycle = set(
        cycle_members(cycle=meeting.cycle, branch=meeting.branch)
        .filter(pk__in=[speaker.pk] + ([target.pk] if target is not None else []))
        .values_list("pk", flat=True)
    )
    if speaker.pk not in in_cycle:
        errors["speaker"] = f"{speaker.name} 不是本支部在册党员"
    if target is not None and target.pk not in in_cycle:
        errors["target"] = f"{target.name} 不是本支部在册党员"
    if not (speech.matter or "").strip():
        errors["matter"] = "请写明具体的人或具体的事（依据工作方案 R4.3：批评要联系具体人、具体事）"
    committee = {p.member_id for p in committee_on(branch=meeting.branch, day=meeting.held_on)}
    if speech.kind in REPORT_KINDS:
        secretary = secretary_of(branch=meeting.branch, day=meeting.held_on)
        if secretary is None or speaker.pk != secretary.pk:
            errors["speaker"] = "述职由党支部书记代表支部委员会进行（依据工作方案 R4.1）"
    if speech.kind in COMMITTEE_KINDS and speaker.pk not in committee:
        errors["speaker"] = f"{speaker.name} 不是支部委员会委员，支委自我批评和相互批评只由支委进行（R4.2）"
    if speech.kind == K.COMMITTEE_MUTUAL and target is not None and target.pk not in committee:
        errors["target"] = f"{target.name} 不是支部委员会委员（支委相互批评针对支委，R4.2）"
    if speech.kind in NEEDS_TARGET and target is None:
        errors["target"] = "相互批评须指明批评的是谁（依据工作方案 R4.3：联系具体人）"
    if target is not None and target.pk == speaker.pk and speech.kind not in SELF_KINDS:
        errors["target"] = "相互批评的对象不能是发言人本人；自我批评请选“自我批评”类别"
    if speech.kind in SELF_KINDS and target is not None and target.pk != speaker.pk:
        errors["target"] = "自我批评不针对他人；批评他人请选“相互批评”类别"
    if not errors:
        # A 流动党员 of a flexible branch who took part where they are speaks too (in writing, or with the members
        # there, R4.6, R7.1).
        took_part = [MeetingAttendance.Status.PRESENT]
        if meeting.branch.uses_flexible_forms:
            took_part.append(MeetingAttendance.Status.AWAY)
        absent = (
            MeetingAttendance.objects.filter(meeting=meeting, member=speaker)
            .exclude(status__in=took_part)
            .first()
        )
        if absent is not None:
            errors["speaker"] = f"{speaker.name} 登记为“{absent.get_status_display()}”，未在本次会议上发言"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def speech_add(
    *, meeting: Meeting, kind: str, speaker: Member, matter: str, target: Member | None = None
) -> Speech:
    """One point spoken, appended to the minutes (R4.1–R4.3). Party leading cadres speak as members (R4.4).

    The secretary's 述职 keeps a copy of the generated 上年度整改落实情况 as it stands now (R4.1, R6.3): the minutes
    show what was reported, and later changes to last year's records do not rewrite it.
    """
    meeting = Meeting.objects.select_for_update().select_related("cycle", "branch").get(pk=meeting.pk)
    last = meeting.speeches.aggregate(m=Max("order"))["m"] or 0
    speech = Speech(
        meeting=meeting, order=last + 1, kind=kind, speaker=speaker, target=target, matter=matter.strip()
    )
    _check_speech(speech, meeting)
    if kind == Speech.Kind.REPORT:
        speech.annex = "\n".join(report_annex(cycle=meeting.cycle, branch=meeting.branch))
    speech.full_clean()
    speech.save()
    return speech


@transaction.atomic
def speeches_reorder(*, meeting: Meeting, speech_ids: list[int]) -> list[Speech]:
    """Put the points in the order they were spoken: the list must name every point of the meeting once."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_held:
        raise ValidationError("会议尚未召开，不能调整发言顺序")
    speeches = {s.pk: s for s in meeting.speeches.all()}
    if sorted(speech_ids) != sorted(speeches):
        raise ValidationError("发言顺序须包含本次会议的全部发言，且每条只出现一次")
    # The (meeting, order) pair is unique: a point that moves first steps out of the way, then takes its place.
    # Each row is saved (not a bulk update) so that the change history keeps every move.
    moving = [(i, speeches[pk]) for i, pk in enumerate(speech_ids, start=1) if speeches[pk].order != i]
    top = max([s.order for s in speeches.values()], default=0) + 1
    for n, (_, speech) in enumerate(moving):
        speech.order = top + n
        speech.save(update_fields=["order"])
    for i, speech in moving:
        speech.order = i
        speech.save(update_fields=["order"])
    return list(meeting.speeches.order_by("order"))


def speech_move(*, speech: Speech, up: bool) -> list[Speech]:
    """Swap a point with the one before (up) or after it."""
    ids = list(
        Speech.objects.filter(meeting_id=speech.meeting_id).order_by("order").values_list("pk", flat=True)
    )
    i = ids.index(speech.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    return speeches_reorder(meeting=speech.meeting, speech_ids=ids)


@transaction.atomic
def speech_delete(*, speech: Speech) -> None:
    """Remove a point recorded by mistake; the rest close up."""
    meeting = speech.meeting
    speech.delete()
    ids = list(meeting.speeches.order_by("order").values_list("pk", flat=True))
    if ids:
        speeches_reorder(meeting=meeting, speech_ids=ids)
