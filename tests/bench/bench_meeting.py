"""The meeting's heaviest pages for a branch of 50 members: attendance (page and save) and the minutes PDF (R4)."""

import itertools
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from branch.models import Cycle
from tests import factories
from tests.bench import median_ms
from tests.meetings.test_meeting_selectors import full_record
from tests.meetings.test_meeting_services import held_meeting


def run(report):
    cycle = Cycle.objects.get(year=2018)
    size = 50
    w = factories.world(members=size)
    meeting = held_meeting(w, cycle)
    c = Client()
    c.force_login(w.users["secretary"])
    everyone = {f"status_{m.pk}": "present" for m in w.everyone}

    t0 = time.perf_counter()
    c.post("/2018/meeting/attendance/", everyone)
    report(f"attendance first save ({size + 3} rows), once", (time.perf_counter() - t0) * 1000, "ms")
    absent = w.members[0].pk
    toggles = itertools.cycle(
        [{**everyone, f"status_{absent}": "absent", f"reason_{absent}": "外出务工"}, everyone]
    )
    report(
        f"attendance save, one row changed ({size + 3} rows), median",
        median_ms(lambda: c.post("/2018/meeting/attendance/", next(toggles)), repeat=10),
        "ms",
    )
    full_record(w, meeting)
    for name, url, repeat in (
        ("attendance page", "/2018/meeting/attendance/", 15),
        ("minutes PDF", "/2018/meeting/minutes.pdf", 5),
    ):
        report(f"{name} ({size} members), median", median_ms(lambda u=url: c.get(u), repeat=repeat), "ms")
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        report(f"{name} ({size} members), queries", len(ctx.captured_queries), "q")
