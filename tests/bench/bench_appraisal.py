"""R5: entering and tallying 60 ballots for 50 members; the grading page for 500 members."""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from appraisal import selectors, services
from appraisal.models import GradeChoice
from branch.models import Cycle
from tests import factories
from tests.appraisal import helpers as h
from tests.bench import median_ms


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
    h.tally_by_ballots(big, cycle, ballots=3)
    for m in h.rated(big)[:300]:
        h.grade(m, cycle)
    c = Client()
    c.force_login(big.users["secretary"])
    report(
        "grading page /appraisal/grades/ (500 members), median",
        median_ms(lambda: c.get("/2018/appraisal/grades/"), repeat=5),
        "ms",
    )
    with CaptureQueriesContext(connection) as ctx:
        c.get("/2018/appraisal/grades/")
    report("grading page /appraisal/grades/ (500 members), queries", len(ctx.captured_queries), "q")
