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
        report(f"roster /members/ ({size} members), median", median_ms(lambda c=c: c.get("/members/")), "ms")
        with CaptureQueriesContext(connection) as ctx:
            c.get("/members/")
        report(f"roster /members/ ({size} members), queries", len(ctx.captured_queries), "q")
