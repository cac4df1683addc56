"""R1–R3: the talk coverage page (R2.1, R2.3, R2.4) for a branch of 50 and of 500 members."""

from datetime import date, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from meetings.selectors.before import talk_coverage
from meetings.services.before import talk_record
from tests import factories
from tests.bench import median_ms


def _branch_with_talks(size: int):
    """A branch of `size` members, one in ten a focus member; every talk held except one member in twenty."""
    w = factories.world(members=1)
    w.members += [
        factories.member(w.branch, is_hardship=True) if i % 10 == 0 else factories.member(w.branch)
        for i in range(size - 1)
    ]
    cycle = factories.cycle_2018()
    sec, c1, c2 = w.secretary, *w.committee
    day = date(2018, 11, 20)
    for a, b in ((sec, c1), (sec, c2), (c1, c2)):
        talk_record(cycle=cycle, by=a, with_=b, held_on=day)
    for i, m in enumerate(w.members):
        if i % 20 != 19:
            talk_record(
                cycle=cycle, by=sec if m.is_focus else c1, with_=m, held_on=day + timedelta(days=1 + i % 40)
            )
    return w, cycle


def run(report):
    for size in (50, 500):
        w, cycle = _branch_with_talks(size)
        c = Client()
        c.force_login(w.users["secretary"])
        report(
            f"coverage /talks/coverage/ ({size} members), median",
            median_ms(lambda c=c: c.get("/2018/talks/coverage/")),
            "ms",
        )
        with CaptureQueriesContext(connection) as ctx:
            r = c.get("/2018/talks/coverage/")
        assert r.status_code == 200
        report(f"coverage /talks/coverage/ ({size} members), queries", len(ctx.captured_queries), "q")
        report(
            f"talk_coverage() selector ({size} members), median",
            median_ms(lambda w=w, cycle=cycle: talk_coverage(cycle=cycle, branch=w.branch)),
            "ms",
            note=f"{len(talk_coverage(cycle=cycle, branch=w.branch).missing)} missing",
        )
