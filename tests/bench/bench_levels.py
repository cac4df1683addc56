"""Issue 12: the township, banner and city overviews on the scale dataset (`manage.py seed_scale`). Printed, never
asserted. The default is a quarter of the issue's size (5 townships × 20 branches × 20 members = 100 branches) so that
`make bench` stays short; BENCH_LEVELS_FULL=1 runs the issue's 20 × 50 × 50 (about 1,000 branches, 50,000 members).

Today every overview evaluates each branch's rules in the request (xinyi.progress, batched per cycle): the figures
below are that path; stored per-branch progress (issue 12 item 4) is not built yet, so there is no "new" beside it.
"""

import os
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from branch.models import Township
from tests.bench import median_ms


def run(report):
    full = os.environ.get("BENCH_LEVELS_FULL") == "1"
    townships, branches, members = (20, 50, 50) if full else (5, 20, 20)
    t0 = time.perf_counter()
    call_command(
        "seed_scale",
        "--townships",
        str(townships),
        "--branches",
        str(branches),
        "--members",
        str(members),
        "--force",
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    report(
        f"seed_scale {townships}×{branches}×{members}",
        time.perf_counter() - t0,
        "s",
        f"{townships * branches} branches, {townships * branches * members} members",
    )
    from django.contrib.auth import get_user_model

    User = get_user_model()
    banner = Client()
    banner.force_login(User.objects.get(username="scale-banner"))
    township = Client()
    township.force_login(User.objects.get(username="scale-t1"))
    first = Township.objects.filter(banner__name="规模测试旗").order_by("pk").first()
    for label, client, url in (
        (f"township overview ({branches} branches)", township, f"/2018/township/?township={first.pk}"),
        (
            f"banner overview ({townships} townships, {townships * branches} branches)",
            banner,
            "/2018/banner/",
        ),
    ):
        repeat = 3 if full else 10
        report(
            f"{label}, median of {repeat} warm",
            median_ms(lambda c=client, u=url: c.get(u), repeat=repeat, warmup=1),
            "ms",
            "goal ≤ 100 ms (township of 100) / ≤ 150 ms (banner of 1,000)",
        )
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        report(f"{label}, queries", len(ctx.captured_queries), "q")
