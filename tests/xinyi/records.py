"""Cycle records for the xinyi tests.

The meetings app's services (study, talks, the meeting) are being written by other helpers at the same time; until they land,
these builders create the rows directly, with full_clean() as a service would.
"""

from __future__ import annotations

from datetime import date

from meetings.models import Meeting, MeetingAttendance, RequiredMaterial, Speech, StudySession, Talk


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


def meeting(w, cycle, *, held_on: date | None = date(2019, 3, 10), prepared: bool = True) -> Meeting:
    m = _save(
        Meeting(
            cycle=cycle,
            branch=w.branch,
            planned_on=held_on or date(2019, 3, 10),
            held_on=held_on,
            place="村部会议室",
            township_contacted_on=date(2019, 2, 20) if prepared else None,
            township_invited=prepared,
            members_notified_on=date(2019, 3, 1) if prepared else None,
        )
    )
    return m


def meeting_record(m: Meeting, w) -> None:
    """Attendance of everyone and the secretary's report (R4.1, R4.7)."""
    for member in w.everyone:
        _save(MeetingAttendance(meeting=m, member=member, status=MeetingAttendance.Status.PRESENT))
    _save(Speech(meeting=m, order=1, kind=Speech.Kind.REPORT, speaker=w.secretary, matter="代表支委会述职"))


def study(w, cycle, *, held_on: date = date(2019, 1, 10)) -> StudySession:
    s = _save(StudySession(cycle=cycle, branch=w.branch, held_on=held_on, form=StudySession.Form.LECTURE))
    s.materials.set(RequiredMaterial.objects.filter(cycle=cycle))
    return s


def talk(w, cycle, *, held_on: date = date(2019, 2, 1)) -> Talk:
    return _save(
        Talk(cycle=cycle, branch=w.branch, held_on=held_on, by=w.secretary, with_member=w.members[0])
    )


def full_cycle_before_deadline(w, cycle) -> Meeting:
    """Study, a talk, the preparation and the meeting, all before 2019-03-20."""
    study(w, cycle)
    talk(w, cycle)
    m = meeting(w, cycle)
    meeting_record(m, w)
    return m
