"""Background work never sticks: a worker killed mid-task is detected, replaced and failed; old results are pruned."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from xinyi import tasks
from xinyi.models import ArchiveBundle

pytestmark = pytest.mark.django_db


def _killed_mid_task(world, cycle, minutes_ago=20):
    """What a worker killed while building the ZIP leaves: the bundle running, its task row running, no progress."""
    bundle, _ = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    then = timezone.now() - timedelta(minutes=minutes_ago)
    ArchiveBundle.objects.filter(pk=bundle.pk).update(status="running", progress=0, heartbeat=then)
    DBTaskResult.objects.create(
        task_path="xinyi.tasks.build_bundle",
        args_kwargs={"args": [bundle.pk], "kwargs": {}},
        status=TaskResultStatus.RUNNING,
        started_at=then,
        run_after=then,
        backend_name="default",
    )
    return bundle


def test_a_zip_whose_worker_was_killed_is_replaced_by_a_new_request_R7_2(world, cycle, client_for):
    """Before: the 'running' bundle stayed for ever and the unique constraint refused every new request."""
    stuck = _killed_mid_task(world, cycle)
    page = client_for(world.users["township"]).get(reverse("township_bundle")).content.decode()
    assert "打包失败" in page and "处理进程可能已中断" in page and "生成全镇各支部档案 ZIP" in page

    fresh, new = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    assert new and fresh.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    tasks.build_bundle.call(fresh.pk)
    fresh.refresh_from_db()
    assert fresh.status == "done"


def test_a_slow_zip_with_recent_progress_is_not_replaced_R7_2(world, cycle):
    busy = _killed_mid_task(world, cycle, minutes_ago=2)
    again, new = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    assert (again.pk, new) == (busy.pk, False)


def test_a_replaced_bundle_picked_up_late_builds_nothing_R7_2(world, cycle):
    """A task of a bundle already failed as stale (its worker came back) leaves it and its replacement alone."""
    stuck = _killed_mid_task(world, cycle)
    ArchiveBundle.objects.filter(pk=stuck.pk).update(status="pending")
    fresh, _ = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    tasks.build_bundle.call(stuck.pk)
    stuck.refresh_from_db()
    assert stuck.status == "failed" and not stuck.file
    assert ArchiveBundle.objects.get(pk=fresh.pk).status == "pending"


def test_prune_tasks_fails_stuck_work_and_deletes_old_results(world, cycle, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    old, _ = tasks.bundle_request(township=world.township, cycle=cycle, user=world.users["township"])
    tasks.build_bundle.call(old.pk)
    old.refresh_from_db()
    old_file = tmp_path / old.file.name
    assert old_file.exists()
    ArchiveBundle.objects.filter(pk=old.pk).update(finished=timezone.now() - timedelta(days=20))
    other = factories.world(members=1)
    stuck = _killed_mid_task(other, cycle)
    finished_long_ago = DBTaskResult.objects.create(
        task_path="xinyi.tasks.build_bundle",
        args_kwargs={"args": [old.pk], "kwargs": {}},
        status=TaskResultStatus.SUCCESSFUL,
        started_at=timezone.now() - timedelta(days=20),
        finished_at=timezone.now() - timedelta(days=20),
        run_after=timezone.now() - timedelta(days=20),
        backend_name="default",
    )

    call_command("prune_tasks")

    assert "中断的档案打包 1 个、中断的后台任务 1 个已标记为失败" in capsys.readouterr().out
    assert not ArchiveBundle.objects.filter(pk=old.pk).exists() and not old_file.exists()
    assert not DBTaskResult.objects.filter(pk=finished_long_ago.pk).exists()
    assert ArchiveBundle.objects.get(pk=stuck.pk).status == "failed"
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1  # kept for 14 days
