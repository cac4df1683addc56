"""Year after year (issue 11) in the meetings app: each cycle's own roster (R7.2), the required materials of a cycle
(R1.2), and last year's rectification carried into the next 述职 (R4.1, R6.3)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from branch import services as branch_services
from branch.checks import Status
from branch.models import BranchCycle, Member, Participant
from branch.selectors import branch_roster
from meetings.apps import ensure_plan_materials
from meetings.models import Meeting, MeetingAttendance, RequiredMaterial, Speech
from meetings.selectors import before as before_selectors
from meetings.selectors import meeting as meeting_selectors
from meetings.services import before as before_services
from meetings.services import meeting as services
from meetings.services.meeting import AttendanceEntry
from tests import factories
from tests.meetings import fake_providers
from tests.meetings.test_before_services import full_coverage, record_session
from tests.meetings.test_meeting_selectors import full_record
from tests.meetings.test_meeting_services import HELD, all_present, held_meeting
from tests.meetings.test_meeting_views import pdf_text
from xinyi import progress

pytestmark = pytest.mark.django_db

K = Speech.Kind
S = MeetingAttendance.Status
VIEWING = "组织生活会和民主评议党员的要求和程序（集中观看）"
FAKE = "tests.meetings.fake_providers."


def by_rule(checks) -> dict:
    return {c.rule: c for c in checks}


def cycle_2019():
    return branch_services.cycle_create(year=2019, deadline=date(2020, 3, 20))


def held_2019(w, c2019, *, held_on=date(2020, 1, 10)) -> Meeting:
    meeting = services.meeting_plan(
        cycle=c2019,
        branch=w.branch,
        planned_on=held_on,
        place="村委会会议室",
        township_contacted_on=date(2020, 1, 2),
        township_agreed_on=held_on,
        township_agreed_form="党员大会",
        township_invited=True,
        members_notified_on=date(2020, 1, 5),
    )
    return services.meeting_hold(meeting=meeting, held_on=held_on)


# ---------------------------------------------------------------- the cycle's own roster (R7.2)


def test_holding_the_meeting_fixes_the_cycle_roster_as_of_that_day_R7_2(world, cycle):
    late = factories.member(world.branch, joined_on=date(2019, 3, 1), status=Member.Status.PROBATIONARY)
    bc = BranchCycle.objects.filter(branch=world.branch, cycle=cycle).first()
    assert bc is None or bc.roster_fixed_on is None
    held_meeting(world, cycle)
    bc = BranchCycle.objects.get(branch=world.branch, cycle=cycle)
    assert bc.roster_fixed_on == HELD
    fixed = set(
        Participant.objects.filter(cycle=cycle, branch=world.branch).values_list("member_id", flat=True)
    )
    assert fixed == {m.pk for m in world.everyone}
    assert late.pk not in fixed  # joined after the meeting day


def test_meeting_roster_reads_equal_the_branch_cycle_roster_R7_2(world, cycle):
    """branch.selectors.cycle_rosters reads the same list as branch.selectors.cycle_roster, before and after fixing."""
    from branch.selectors import cycle_roster

    prob = factories.member(world.branch, status=Member.Status.PROBATIONARY, joined_on=date(2018, 6, 1))

    def same():
        ours = branch_roster(cycle=cycle, branch=world.branch, by_group=True)
        theirs = cycle_roster(cycle=cycle, branch=world.branch)
        assert [(m.pk, m.status, m.is_focus) for m in ours] == [(m.pk, m.status, m.is_focus) for m in theirs]

    same()
    held_meeting(world, cycle)
    branch_services.member_update(member=prob, status=Member.Status.FULL, full_member_on=date(2019, 6, 1))
    cycle.__dict__.pop("_branch_cycles", None)
    same()


PAGES = [
    "study_list",
    "talk_coverage",
    "problem_list",
    "meeting_detail",
    "meeting_attendance",
    "meeting_speeches",
    "meeting_minutes",
]


def _page(c, name) -> str:
    body = c.get(reverse(name)).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def _snapshot(w, cycle, c, tmp_path):
    return {
        "before_checks": before_selectors.checks(cycle=cycle, branches=[w.branch])[w.branch.pk],
        "meeting_checks": meeting_selectors.checks(cycle=cycle, branches=[w.branch])[w.branch.pk],
        "pages": {name: _page(c, name) for name in PAGES},
        "signin": pdf_text(c.get(reverse("meeting_signin_pdf")).content, tmp_path),
        "attendance": [
            (r.member.pk, r.status)
            for r in meeting_selectors.attendance_rows(
                meeting=Meeting.objects.get(cycle=cycle, branch=w.branch)
            )
        ],
    }


def test_later_transfer_zhuanzheng_and_new_member_change_nothing_in_a_held_cycle_R7_2_R2_3_R4_7(
    client_for, cycle, tmp_path
):
    """Issue 11: after the 2018 meeting fixed the roster, one member transfers out, a 预备党员 becomes 正式, one
    member becomes a focus member and a new (focus) member joins in 2019: 2018's pages, checks, sign-in sheet and
    minutes are exactly what they were."""
    w = factories.world(members=5, probationary=1)
    w.members.append(factories.member(w.branch, is_hardship=True))
    prob = next(m for m in w.members if m.status == Member.Status.PROBATIONARY)
    record_session(w, cycle, materials=list(RequiredMaterial.objects.filter(cycle=cycle)))
    full_coverage(w, cycle)
    before_services.problem_record(cycle=cycle, branch=w.branch, area="c_style", text="联系群众不够")
    for m in w.everyone:
        before_services.problem_record(
            cycle=cycle, branch=w.branch, member=m, area="m_study", text="学习不深"
        )
    meeting = held_meeting(w, cycle)
    all_present(w, meeting)
    full_record(w, meeting)
    cycle_2019()
    c = client_for(w.users["secretary"])
    before = _snapshot(w, cycle, c, tmp_path)
    assert all(ch.status == Status.PASS for ch in before["before_checks"] if ch.rule.startswith(("R2", "R3")))
    assert by_rule(before["meeting_checks"])["R4.7"].status == Status.PASS

    gone = w.members[1]
    branch_services.member_leave(member=gone, reason=Member.LeftReason.TRANSFERRED, on=date(2019, 4, 1))
    branch_services.member_update(member=prob, status=Member.Status.FULL, full_member_on=date(2019, 6, 1))
    branch_services.member_update(member=w.members[2], is_mobile=True)
    newcomer = factories.member(
        w.branch, joined_on=date(2019, 5, 1), status=Member.Status.PROBATIONARY, is_veteran=True
    )

    after = _snapshot(w, cycle, c, tmp_path)
    assert after["before_checks"] == before["before_checks"]
    assert after["meeting_checks"] == before["meeting_checks"]
    assert after["attendance"] == before["attendance"]
    assert after["signin"] == before["signin"]
    for name in PAGES:
        assert after["pages"][name] == before["pages"][name], name
    assert newcomer.name not in after["pages"]["talk_coverage"]
    assert gone.name in after["pages"]["meeting_attendance"]


def test_attendance_is_recorded_against_the_fixed_roster_R4_7(world, cycle):
    """A member who transferred out after the meeting still has their attendance recorded; one who joined after is
    not asked for."""
    meeting = held_meeting(world, cycle)
    gone = world.members[0]
    branch_services.member_leave(member=gone, reason=Member.LeftReason.TRANSFERRED, on=date(2019, 2, 1))
    newcomer = factories.member(world.branch, joined_on=date(2019, 2, 1), status=Member.Status.PROBATIONARY)
    entries = [AttendanceEntry(m.pk, S.PRESENT) for m in world.everyone if m != gone]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=meeting, entries=entries)
    assert gone.name in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            meeting=meeting,
            entries=[*entries, AttendanceEntry(gone.pk, S.PRESENT), AttendanceEntry(newcomer.pk, S.PRESENT)],
        )
    assert f"{newcomer.name} 不是" in " ".join(exc.value.messages)
    saved = services.attendance_record(
        meeting=meeting, entries=[*entries, AttendanceEntry(gone.pk, S.PRESENT)]
    )
    assert len(saved) == len(world.everyone)


# ---------------------------------------------------------------- required materials (R1.2)


def test_2018_lists_the_required_viewing_of_the_plan_R1_2(cycle):
    titles = list(
        RequiredMaterial.objects.filter(cycle=cycle).order_by("order").values_list("title", flat=True)
    )
    assert titles[-1] == VIEWING
    assert len(titles) == 5
    RequiredMaterial.objects.filter(cycle=cycle).delete()
    ensure_plan_materials(sender=None)  # as after a flush
    assert VIEWING in RequiredMaterial.objects.filter(cycle=cycle).values_list("title", flat=True)


def test_a_cycle_without_required_material_fails_R1_2(world, cycle):
    c2019 = cycle_2019()
    record_session(world, c2019, held_on=date(2019, 11, 5), materials=[], other_content="学习党章")
    check = by_rule(before_selectors.checks(cycle=c2019, branches=[world.branch])[world.branch.pk])["R1.2"]
    assert check.status == Status.FAIL
    assert "2019年度尚未列出必学内容" in check.reason
    study = next(s for s in progress.for_branch(cycle=c2019, branch=world.branch).steps if s.key == "study")
    assert not study.is_done
    gaps = meeting_selectors.readiness(cycle=c2019, branch=world.branch)[0]
    assert not gaps.done and "尚未列出必学内容" in gaps.detail
    before_services.materials_copy(source=cycle, target=c2019)
    check = by_rule(before_selectors.checks(cycle=c2019, branches=[world.branch])[world.branch.pk])["R1.2"]
    assert check.status == Status.FAIL and "必学内容尚未学习" in check.reason


def test_study_page_says_the_cycle_lists_no_required_material_R1_2(client_for, world, cycle):
    cycle_2019()
    with factories.under_year(2019):
        body = client_for(world.users["secretary"]).get(reverse("study_list")).content.decode()
    assert "2019年度尚未列出必学内容" in body


def test_materials_copy_starts_a_new_year_from_last_years_list_R1_2(cycle):
    c2019 = cycle_2019()
    RequiredMaterial.objects.create(cycle=c2019, title="党的二十大精神", order=1)
    RequiredMaterial.objects.create(cycle=c2019, title="党的十九大精神", order=2)
    assert before_services.materials_copy(source=cycle, target=c2019) == 4
    titles = list(
        RequiredMaterial.objects.filter(cycle=c2019).order_by("order").values_list("title", flat=True)
    )
    assert titles == [
        "党的二十大精神",
        "党的十九大精神",
        "《中国共产党纪律处分条例》",
        "《中国共产党支部工作条例（试行）》",
        "习近平新时代中国特色社会主义思想",
        VIEWING,
    ]
    assert before_services.materials_copy(source=cycle, target=c2019) == 0
    assert RequiredMaterial.objects.filter(cycle=cycle).count() == 5  # the source is left as it was
    with pytest.raises(ValidationError):
        before_services.materials_copy(source=cycle, target=cycle)


# ---------------------------------------------------------------- last year's rectification in the 述职 (R4.1, R6.3)


def test_first_cycle_leaves_the_section_out_and_asks_no_provider_R4_1(client_for, world, cycle, settings):
    settings.XINYI_PROVIDERS = {"meeting_report_annex": FAKE + "must_not_be_called"}
    meeting = held_meeting(world, cycle)
    services.speech_add(meeting=meeting, kind=K.REPORT, speaker=world.secretary, matter="述职")
    c = client_for(world.users["secretary"])
    for name in ("meeting_detail", "meeting_minutes", "meeting_speeches"):
        assert 'id="report-annex"' not in c.get(reverse(name)).content.decode()
    check = by_rule(meeting_selectors.checks(cycle=cycle, branches=[world.branch])[world.branch.pk])["R4.1"]
    assert check.status == Status.PASS and "首个年度" in check.reason


def test_one_character_report_without_the_summary_fails_R4_1(world, cycle, settings):
    settings.XINYI_PROVIDERS = {"meeting_report_annex": FAKE + "nothing"}
    c2019 = cycle_2019()
    meeting = held_2019(world, c2019)
    services.speech_add(meeting=meeting, kind=K.REPORT, speaker=world.secretary, matter="好")
    services.speech_add(meeting=meeting, kind=K.RECTIFICATION_REPORT, speaker=world.secretary, matter="好")
    check = by_rule(meeting_selectors.checks(cycle=c2019, branches=[world.branch])[world.branch.pk])["R4.1"]
    assert check.status == Status.FAIL
    assert "书记述职未包含上年度整改落实情况" in check.reason


def test_report_keeps_the_generated_summary_and_passes_R4_1_R6_3(client_for, world, cycle, settings):
    settings.XINYI_PROVIDERS = {"meeting_report_annex": FAKE + "annex"}
    c2019 = cycle_2019()
    meeting = held_2019(world, c2019)
    c = client_for(world.users["secretary"])
    with factories.under_year(2019):
        detail = c.get(reverse("meeting_detail")).content.decode()
    assert 'id="report-annex"' in detail and "2018年度整改措施1：机井维修 — 已完成" in detail
    check = by_rule(meeting_selectors.checks(cycle=c2019, branches=[world.branch])[world.branch.pk])["R4.1"]
    assert check.status == Status.FAIL and "未记录书记代表支委会的述职" in check.reason

    report = services.speech_add(meeting=meeting, kind=K.REPORT, speaker=world.secretary, matter="好")
    assert report.annex_lines == fake_providers.annex(cycle=c2019, branch=world.branch)
    check = by_rule(meeting_selectors.checks(cycle=c2019, branches=[world.branch])[world.branch.pk])["R4.1"]
    assert check.status == Status.PASS and "述职包含上年度整改落实情况" in check.reason

    # Last year's records change afterwards: the minutes keep what was reported.
    settings.XINYI_PROVIDERS = {"meeting_report_annex": FAKE + "annex_revised"}
    with factories.under_year(2019):
        minutes = c.get(reverse("meeting_minutes")).content.decode()
        detail = c.get(reverse("meeting_detail")).content.decode()
    assert "上年度整改落实情况" in minutes and "镇党委纠偏意见：台账不全 — 已答复" in minutes
    assert "以上内容随书记述职存档" in minutes and "此后改动过" not in minutes
    assert "此后改动过" in detail  # the meeting page shows the summary as generated today


def test_no_provider_or_empty_summary_leaves_the_section_out_R4_1(client_for, world, cycle, settings):
    c2019 = cycle_2019()
    held_2019(world, c2019)
    c = client_for(world.users["secretary"])
    for providers in ({}, {"meeting_report_annex": FAKE + "nothing"}):
        settings.XINYI_PROVIDERS = providers
        with factories.under_year(2019):
            for name in ("meeting_detail", "meeting_minutes"):
                assert 'id="report-annex"' not in c.get(reverse(name)).content.decode()


def test_minutes_show_the_summary_to_report_before_the_report_is_recorded_R4_1(world, cycle, settings):
    settings.XINYI_PROVIDERS = {"meeting_report_annex": FAKE + "annex"}
    c2019 = cycle_2019()
    minutes = meeting_selectors.minutes(meeting=held_2019(world, c2019))
    assert minutes.annex and not minutes.annex_carried and not minutes.first_cycle


# ---------------------------------------------------------------- query counts


# What issue 11 adds to these pages, all constant: the cycle's roster reads BranchCycle first (talk coverage, checks,
# attendance rows: +1 each where used); the township's earlier cycle is looked up once for the 上年度整改落实情况 (the
# fake provider itself runs no query); the meeting page asks whether the cycle lists any required material (R1.2).
# The same count in 2018 (first cycle, no summary) and 2019 (summary generated on the page, kept with the 述职).
@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize(
    ("page", "queries"), [("meeting_detail", 26), ("meeting_speeches", 19), ("meeting_minutes", 15)]
)
def test_meeting_pages_query_count_constant_in_both_years(
    client_for, django_assert_num_queries, cycle, settings, size, page, queries
):
    settings.XINYI_PROVIDERS = {"meeting_report_annex": FAKE + "annex"}
    w = factories.world(members=size)
    meeting = held_meeting(w, cycle)
    all_present(w, meeting)
    full_record(w, meeting)
    c2019 = cycle_2019()
    m2019 = held_2019(w, c2019)
    services.speech_add(meeting=m2019, kind=K.REPORT, speaker=w.secretary, matter="述职")
    c = client_for(w.users["secretary"])
    with django_assert_num_queries(queries):
        assert c.get(reverse(page)).status_code == 200
    with factories.under_year(2019), django_assert_num_queries(queries):
        assert c.get(reverse(page)).status_code == 200
