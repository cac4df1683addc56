"""R7: the archive PDF, the township overview and the dashboard (issue: dashboard). Printed by `make bench`, never asserted."""

import resource
import statistics
import time
from datetime import date

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from branch.models import Branch, Member
from tests import factories
from tests.bench import median_ms, peak_mb
from tests.xinyi import records
from xinyi import archive


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_s(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _branch_of(t, members: int, cycle) -> factories.World:
    """A branch with a committee, `members` members in all (bulk-created beyond the committee) and a cycle recorded."""
    w = factories.world(members=1, township_=t, logins=False)
    extra = members - len(w.everyone)
    Member.objects.bulk_create(
        Member(
            branch=w.branch,
            name=f"党员{w.branch.pk}-{i}",
            gender="M" if i % 2 else "F",
            birth_date=date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
            joined_on=date(2000, 7, 1),
            full_member_on=date(2001, 7, 1),
        )
        for i in range(extra)
    )
    records.full_cycle_before_deadline(w, cycle)
    return w


def run(report):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    cycle = factories.cycle_2018()
    xinyi = Branch.objects.get(name="新义村党支部")

    for label, branch in (("新义村党支部 (seed_demo)", xinyi), ("generated branch, 50 members", None)):
        if branch is None:
            branch = _branch_of(factories.township(), 50, cycle).branch
        archive.archive_pdf(cycle=cycle, branch=branch)  # warm fonts and templates
        report(
            f"archive PDF {label}, median",
            _median_s(lambda b=branch: archive.archive_pdf(cycle=cycle, branch=b)),
            "s",
        )
        report(
            f"archive PDF {label}, Python peak",
            peak_mb(lambda b=branch: archive.archive_pdf(cycle=cycle, branch=b)),
            "MB",
            "tracemalloc",
        )
        report(f"archive PDF {label}, process maxrss", _maxrss_mb(), "MB", "whole bench process so far")
        # Issue 15 item 1: a download of an unchanged archive serves the stored file (the state's HTML is still
        # built to know the state); the old path laid the PDF out in every request.
        old = _median_s(lambda b=branch: archive.archive_pdf(cycle=cycle, branch=b))
        archive.archive_bytes(cycle=cycle, branch=branch)  # the first download stores it
        new = _median_s(lambda b=branch: archive.archive_bytes(cycle=cycle, branch=b))
        from xinyi.cycles import frozen

        kind = (
            "closed year, frozen file"
            if frozen(cycle=cycle, branch=branch)
            else "open year, stored rendering"
        )
        report(
            f"archive download {label}, unchanged ({kind})",
            new * 1000,
            "ms",
            f"old in-request layout {old * 1000:.0f} ms, {old / new:.1f}x",
        )

    t = factories.township()
    for _ in range(100):
        _branch_of(t, 50, cycle)
    reviewer = factories.login(role="township", township_=t)
    c = Client()
    c.force_login(reviewer)
    report(
        "township overview (100 branches × 50), median",
        median_ms(lambda: c.get("/2018/township/"), repeat=7),
        "ms",
    )
    with CaptureQueriesContext(connection) as ctx:
        c.get("/2018/township/")
    report("township overview (100 branches × 50), queries", len(ctx.captured_queries), "q")

    w = _branch_of(factories.township(), 50, cycle)
    secretary = factories.login(role="secretary", member_=w.secretary)
    c = Client()
    c.force_login(secretary)
    report("dashboard (one branch, 50 members), median", median_ms(lambda: c.get("/2018/dashboard/")), "ms")
    with CaptureQueriesContext(connection) as ctx:
        c.get("/2018/dashboard/")
    report("dashboard (one branch, 50 members), queries", len(ctx.captured_queries), "q")
