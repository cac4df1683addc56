"""R6: the township's rectification view over every branch of a township (R6.6), and the branch's measure list."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from branch.models import Cycle, Scope
from rectification import selectors
from rectification.dates import today_for
from tests import factories
from tests.bench import median_ms
from tests.rectification.builders import measure, public_and_filed, rectifying_world


def run(report):
    cycle = Cycle.objects.get(year=2018)
    for size in (2, 20):
        t = factories.township()
        reviewer = factories.login(role=Scope.Role.TOWNSHIP, township_=t)
        worlds = [rectifying_world(cycle, township_=t, members=3) for _ in range(size)]
        for i, w in enumerate(worlds):
            for j in range(4):
                measure(w, cycle, text=f"措施{j}")
            if i % 2:
                public_and_filed(w, cycle)
        c = Client()
        c.force_login(reviewer)
        url = "/2018/township/rectification/"
        report(
            f"township view {url} ({size} branches × 5 measures), median",
            median_ms(lambda c=c, url=url: c.get(url)),
            "ms",
        )
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        report(f"township view ({size} branches), queries", len(ctx.captured_queries), "q")
        branches = [w.branch for w in worlds]
        day = today_for(cycle)
        report(
            f"rectification checks ({size} branches), median",
            median_ms(lambda b=branches, d=day: selectors.checks(cycle=cycle, branches=b, day=d)),
            "ms",
        )
