"""The township overview (R7.1, R5.9) as a page and in admin, and the ZIP of all archives built in the background (R7.2)."""

import io
import zipfile
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from xinyi import tasks
from xinyi.models import ArchiveBundle

from . import records

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_reviewer_sees_every_branch_of_the_township_not_others_R7_1(client_for, world, other_world):
    second = factories.world(members=2, township_=world.township, logins=False)
    r = client_for(world.users["township"]).get(reverse("township_overview"))
    assert r.status_code == 200
    body = r.content.decode()
    assert world.branch.name in body and second.branch.name in body
    assert other_world.branch.name not in body
    assert "农村" in body  # the branch type (R7.1)
    assert reverse("township_branch_dashboard", args=[second.branch.pk]) in body


def test_overview_refused_for_secretary_and_member(client_for, world):
    assert client_for(world.users["township"]).get(reverse("township_overview")).status_code == 200
    assert client_for(world.users["secretary"]).get(reverse("township_overview")).status_code == 403
    assert client_for(world.users["member"]).get(reverse("township_overview")).status_code == 403


def test_home_sends_the_reviewer_to_the_overview(client_for, world):
    assert client_for(world.users["township"]).get("/").url == reverse("township_overview")


def test_overview_counts_steps_overdue_and_failures_and_sorts_R7_1(client_for, world, cycle):
    late = factories.world(members=2, township_=world.township, logins=False)
    records.full_cycle_before_deadline(world, cycle)
    records.meeting(late, cycle, held_on=date(2019, 4, 2))
    c = client_for(world.users["township"])
    rows = c.get(reverse("township_overview"), {"sort": "-failures"}).context["rows"]
    assert [r.branch for r in rows] == [late.branch, world.branch]
    assert rows[0].failures > rows[1].failures
    assert rows[1].steps_done > rows[0].steps_done
    rows = c.get(reverse("township_overview"), {"sort": "failures"}).context["rows"]
    assert [r.branch for r in rows] == [world.branch, late.branch]
    # an unknown sort key falls back to the name
    rows = c.get(reverse("township_overview"), {"sort": "drop table"}).context["rows"]
    assert [r.branch.name for r in rows] == sorted([world.branch.name, late.branch.name])


def test_overview_queries_do_not_grow_with_branches_R7_1(client_for, cycle):
    counts = []
    for n in (2, 20):
        t = factories.township()
        worlds = [factories.world(members=5, township_=t, logins=False) for _ in range(n)]
        records.full_cycle_before_deadline(worlds[0], cycle)
        reviewer = factories.login(role="township", township_=t)
        c = client_for(reviewer)
        c.get(reverse("township_overview"))
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(reverse("township_overview"))
        assert len(r.context["rows"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_admin_overview_for_the_reviewer_of_the_township_R7_1(client_for, world, other_world):
    url = reverse("admin:xinyi_branchoverview_changelist")
    r = client_for(world.users["township"]).get(url)
    assert r.status_code == 200
    assert world.branch.name in r.content.decode() and other_world.branch.name not in r.content.decode()
    assert client_for(world.users["secretary"]).get(url).status_code == 302  # not staff: to the admin login


# ---------------------------------------------------------------- the ZIP (R7.2)


def test_zip_asked_twice_is_one_bundle_and_one_task_R7_2(
    world, cycle, django_capture_on_commit_callbacks, settings
):
    """With the database backend of settings.TASKS: asking twice queues one task row."""
    from django_tasks_db.models import DBTaskResult

    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert DBTaskResult.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        first, new1 = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    with django_capture_on_commit_callbacks(execute=True):
        second, new2 = tasks.bundle_request(
            township=world.township, cycle=cycle, user=world.users["township"]
        )
    assert (new1, new2) == (True, False)
    assert first.pk == second.pk
    queued = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert queued == [("xinyi.tasks.build_bundle", {"args": [first.pk], "kwargs": {}})]
    assert ArchiveBundle.objects.count() == 1


def test_second_active_bundle_is_refused_by_the_database_R7_2(world, cycle):
    from django.db import IntegrityError, transaction

    ArchiveBundle.objects.create(township=world.township, cycle=cycle)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArchiveBundle.objects.create(township=world.township, cycle=cycle)


def test_zip_task_builds_every_branch_archive_and_counts_progress_R7_2(world, cycle):
    second = factories.world(members=2, township_=world.township, logins=False)
    bundle, _ = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    assert (bundle.status, bundle.progress, bundle.total) == ("pending", 0, 2)
    tasks.build_bundle.call(bundle.pk)
    bundle.refresh_from_db()
    assert (bundle.status, bundle.progress, bundle.percent) == ("done", 2, 100)
    with bundle.file.open("rb") as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as zf:
        names = zf.namelist()
    assert sorted(names) == sorted(
        f"{b.name}2018年度组织生活会档案.pdf" for b in (world.branch, second.branch)
    )


def test_zip_download_for_own_township_only_R7_2(client_for, world, other_world, cycle):
    bundle, _ = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    tasks.build_bundle.call(bundle.pk)
    url = reverse("township_bundle_download", args=[bundle.pk])
    r = client_for(world.users["township"]).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content)[:2] == b"PK"
    assert client_for(other_world.users["township"]).get(url).status_code == 404
    assert client_for(world.users["secretary"]).get(url).status_code == 403


def test_bundle_page_shows_progress_and_refreshes_while_pending_R7_2(client_for, world, cycle):
    c = client_for(world.users["township"])
    r = c.post(reverse("township_bundle_create"))
    assert r.url == reverse("township_bundle")
    body = c.get(reverse("township_bundle")).content.decode()
    assert "排队中" in body and 'http-equiv="refresh"' in body and "0/1 个支部" in body
    c.post(reverse("township_bundle_create"))
    assert ArchiveBundle.objects.count() == 1


def test_zip_fresh_is_handed_out_again_and_an_old_one_is_rebuilt_R7_2(world, cycle):
    from datetime import timedelta

    from django.utils import timezone

    bundle, _ = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    tasks.build_bundle.call(bundle.pk)
    again, new = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    assert (again.pk, new) == (bundle.pk, False)
    ArchiveBundle.objects.filter(pk=bundle.pk).update(
        finished=timezone.now() - tasks.FRESH_FOR - timedelta(minutes=1)
    )
    later, new = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    assert new and later.pk != bundle.pk


def test_overview_shows_the_filings_state_not_only_that_there_is_one_R6_2(world, cycle, client_for):
    """Issue 13 fault 8: "已报备（1 条）" said nothing of whether the township had read it."""
    from datetime import date

    from rectification import services as rect_services
    from tests.rectification.builders import public_and_filed, rectifying_world

    w = rectifying_world(cycle, township_=world.township)
    filing = public_and_filed(w, cycle)
    c = client_for(world.users["township"])
    row = f'data-branch="{w.branch.pk}"'
    page = c.get("/2018/township/").content.decode()
    assert "已报备，待审阅（1 条）" in page.split(row)[1].split("</tr>")[0]
    rect_services.filing_acknowledge(filing=filing, township=world.township, on=date(2019, 2, 1))
    page = c.get("/2018/township/").content.decode()
    assert "镇党委已审阅（1 条）" in page.split(row)[1].split("</tr>")[0]
