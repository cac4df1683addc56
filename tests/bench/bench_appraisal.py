"""R5: entering and tallying 60 ballots for 50 members; the whole-table pages (self/mutual, grading, feedback) at 500
members against today's pages (issue 15 item 3: member pages light at 500)."""

import copy
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from appraisal import selectors, services
from appraisal.models import GradeChoice
from branch.models import Cycle, Member
from tests import factories
from tests.appraisal import helpers as h
from tests.bench import median_ms

# The pages as they were before the whole-table entry (a list with a link per member to a one-member form), served
# by the same views: their templates put first on the search path. Only for the side-by-side figures here.
LEGACY_TEMPLATES = Path(__file__).parent / "legacy_templates"


def _legacy_templates():
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [LEGACY_TEMPLATES, *templates[0]["DIRS"]]
    return override_settings(TEMPLATES=templates)


def _page(report, c, name, url, *, repeat=5):
    ms = median_ms(lambda: c.get(url), repeat=repeat)
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    assert r.status_code == 200, (url, r.status_code)
    report(f"{name}, median", ms, "ms")
    report(f"{name}, HTML", len(r.content) / 1024, "KB")
    report(f"{name}, queries", len(ctx.captured_queries), "q")
    return ms, len(r.content)


def _side_by_side(report, c, what, url, *, legacy_url=None, legacy_note=""):
    with _legacy_templates():
        old_ms, old_size = _page(report, c, f"{what} today's page", legacy_url or url)
    new_ms, new_size = _page(report, c, f"{what} whole table", url)
    report(f"{what}: today / whole table, time", old_ms / new_ms, "×", legacy_note)
    report(f"{what}: today / whole table, HTML", old_size / new_size, "×", legacy_note)


def run(report):
    cycle = Cycle.objects.get(year=2018)
    w = factories.world(members=57)  # 60 members present, 60 ballots; 60 full members rated
    h.meeting(w, cycle)
    h.self_mutual_all(w, cycle)
    tally = services.tally_open(cycle=cycle, branch=w.branch, issued=60, returned=60, invalid=0)
    rated = h.rated(w)
    grades = list(GradeChoice.values)
    t0 = time.perf_counter()
    for i in range(60):
        services.ballot_enter(
            tally=tally, marks={m.pk: grades[(i + m.pk) % 3] for m in rated[:50]}, committee_mark="satisfied"
        )
    report("enter 60 ballots × 50 rated members, total", (time.perf_counter() - t0) * 1000, "ms")
    services.tally_close(tally=tally)
    report(
        "tally 60 ballots × 50 members (tally_rows), median",
        median_ms(lambda: selectors.tally_rows(cycle=cycle, branch=w.branch)),
        "ms",
    )

    big = factories.world(members=497)  # 500 full members
    c = Client()
    c.force_login(big.users["secretary"])
    h.meeting(big, cycle)
    members = list(Member.objects.filter(branch=big.branch).active())
    for m in members[:250]:
        services.self_mutual_record(
            cycle=cycle, member=m, self_done=True, mutual_done=True, self_points="按时参加学习"
        )
    _side_by_side(report, c, "self/mutual (500 members)", "/2018/appraisal/self-mutual/")
    data = {f"s{m.pk}": "1" for m in members} | {f"m{m.pk}": "1" for m in members}
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        r = c.post("/2018/appraisal/self-mutual/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    report("self/mutual whole table saved, 250 of 500 changed", (time.perf_counter() - t0) * 1000, "ms")
    report("self/mutual whole table saved, queries", len(ctx.captured_queries), "q")

    n = len(members)
    t = services.tally_open(cycle=cycle, branch=big.branch, issued=n, returned=3, invalid=0)
    full = h.rated(big)
    for _ in range(3):
        services.ballot_enter(
            tally=t, marks={m.pk: GradeChoice.QUALIFIED for m in full}, committee_mark="satisfied"
        )
    services.tally_close(tally=t)
    for m in full[:300]:
        h.grade(m, cycle)
    _side_by_side(report, c, "grading (500 members)", "/2018/appraisal/grades/")
    data = {"decided_on": "2019-01-20"}
    for m in full:
        data[f"g{m.pk}"] = GradeChoice.QUALIFIED
        data[f"o{m.pk}"] = "能够发挥党员作用" if m in full[:300] else "认真履行党员义务"
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        r = c.post("/2018/appraisal/grades/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    report(
        "grading whole table saved, 500 rows (200 new, 300 unchanged)",
        (time.perf_counter() - t0) * 1000,
        "ms",
    )
    report("grading whole table saved, queries", len(ctx.captured_queries), "q")

    g = services.grade_set(
        cycle=cycle,
        member=full[0],
        grade=GradeChoice.QUALIFIED,
        opinion="能够发挥党员作用",
        decided_on=date(2019, 1, 20),
    )
    services.feedback_record(grade=g, given_on=date(2019, 1, 25), means="face", by=big.secretary)
    _page(report, c, "feedback, today's one-member page", f"/2018/appraisal/grades/{full[1].pk}/feedback/")
    _page(report, c, "feedback whole table (500 members)", "/2018/appraisal/grades/feedback/")
    data = {"given_on": "2019-01-25", "means": "face", "by": big.secretary.pk, "f": [m.pk for m in full]}
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        r = c.post("/2018/appraisal/grades/feedback/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    report("feedback for 500 members in one save", (time.perf_counter() - t0) * 1000, "ms")
    report("feedback for 500 members in one save, queries", len(ctx.captured_queries), "q")
