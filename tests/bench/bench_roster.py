import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.bench import median_ms


def run(report):
    for size in (50, 500):
        w = factories.world(members=size)
        c = Client()
        c.force_login(w.users["secretary"])
        report(
            f"roster /members/ ({size} members), median", median_ms(lambda c=c: c.get("/2018/members/")), "ms"
        )
        with CaptureQueriesContext(connection) as ctx:
            c.get("/2018/members/")
        report(f"roster /members/ ({size} members), queries", len(ctx.captured_queries), "q")

    # The Excel roster: export, then the all-or-nothing import of that file into an empty branch, and a re-import
    # where every row is already there.
    from datetime import date

    from branch import services
    from branch.models import Member
    from branch.roster_excel import export_workbook, import_roster
    from branch.xlsx import workbook_bytes

    for size in (50, 500):
        w = factories.world(members=size, logins=False)
        members = list(Member.objects.filter(branch=w.branch).select_related("group"))
        data = workbook_bytes(export_workbook(members))
        report(
            f"export roster ({size + 3} members), median",
            median_ms(lambda m=members: export_workbook(m)),
            "ms",
        )
        report(f"roster file ({size + 3} members)", len(data) / 1024, "KiB")
        # The members move: out of their branch (a member belongs to one branch), then into another.
        for m in members:
            services.member_leave(member=m, reason=Member.LeftReason.TRANSFERRED, on=date(2018, 12, 1))
        target = factories.branch()
        t0 = time.perf_counter()
        import_roster(branch=target, data=data)
        report(f"import roster ({size + 3} new members)", (time.perf_counter() - t0) * 1000, "ms")
        report(
            f"re-import same file ({size + 3} already there), median",
            median_ms(lambda t=target, d=data: import_roster(branch=t, data=d), repeat=3, warmup=0),
            "ms",
        )
