"""Background work: the township's ZIP of archives. Run the worker with `python manage.py db_worker` (`make run` does)."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from branch.models import Branch, Cycle, Township

from . import archive
from .models import ArchiveBundle, ArchiveRender

# A finished ZIP younger than this is handed out again instead of building a new one.
FRESH_FOR = timedelta(minutes=30)


def stale_before():
    return timezone.now() - timedelta(minutes=settings.TASK_STALE_MINUTES)


STALE_ERROR = "后台任务长时间没有进展（处理进程可能已中断），已标记为失败"


def bundles_fail_stale(**filters) -> int:
    """Active bundles whose worker stopped sending progress are failed, so the unique constraint frees their place."""
    return ArchiveBundle.objects.filter(
        status__in=ArchiveBundle.ACTIVE, heartbeat__lt=stale_before(), **filters
    ).update(status=ArchiveBundle.Status.FAILED, error=STALE_ERROR, finished=timezone.now())


def bundle_request(*, township: Township, cycle: Cycle, user) -> tuple[ArchiveBundle, bool]:
    """The pending or fresh bundle if there is one, else a new one queued (returns it and whether it is new)."""
    try:
        with transaction.atomic():
            # Lock the township row so two requests queue up here rather than race (PostgreSQL; SQLite serialises writes).
            Township.objects.select_for_update().get(pk=township.pk)
            bundles_fail_stale(township=township, cycle=cycle)
            existing = (
                ArchiveBundle.objects.filter(township=township, cycle=cycle)
                .filter(
                    status__in=ArchiveBundle.ACTIVE,
                )
                .first()
                or ArchiveBundle.objects.filter(
                    township=township,
                    cycle=cycle,
                    status=ArchiveBundle.Status.DONE,
                    finished__gte=timezone.now() - FRESH_FOR,
                ).first()
            )
            if existing:
                return existing, False
            bundle = ArchiveBundle(
                township=township,
                cycle=cycle,
                requested_by=user,
                total=Branch.objects.filter(township=township).in_year(cycle.year).count(),
            )
            bundle.full_clean()
            bundle.save()
            transaction.on_commit(lambda: build_bundle.enqueue(bundle.pk))
            return bundle, True
    except IntegrityError:
        # The unique constraint caught a concurrent request: hand out the one it created.
        return ArchiveBundle.objects.get(
            township=township, cycle=cycle, status__in=ArchiveBundle.ACTIVE
        ), False


@task()
def build_bundle(bundle_id: int) -> int:
    """Render each branch's archive PDF into one ZIP, counting progress as it goes."""
    bundle = ArchiveBundle.objects.select_related("township", "cycle").get(pk=bundle_id)
    # Only a pending bundle starts: one failed as stale and replaced while this task waited is left alone.
    started = ArchiveBundle.objects.filter(pk=bundle.pk, status=ArchiveBundle.Status.PENDING).update(
        status=ArchiveBundle.Status.RUNNING, progress=0, heartbeat=timezone.now()
    )
    if not started:
        return bundle.pk
    branches = list(
        Branch.objects.filter(township=bundle.township).in_year(bundle.cycle.year).order_by("name")
    )
    try:
        with tempfile.TemporaryFile() as tmp:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for i, branch in enumerate(branches, start=1):
                    # A closed year's stored file, byte for byte; an open one's rendered from its records.
                    data, _sha256 = archive.archive_bytes(cycle=bundle.cycle, branch=branch)
                    zf.writestr(archive.filename(cycle=bundle.cycle, branch=branch), data)
                    ArchiveBundle.objects.filter(pk=bundle.pk).update(
                        progress=i, total=len(branches), heartbeat=timezone.now()
                    )
            tmp.seek(0)
            bundle.refresh_from_db()
            name = f"{bundle.township.name}{bundle.cycle.year}年度档案_{bundle.pk}.zip"
            bundle.file.save(name, File(tmp), save=False)
        bundle.status = ArchiveBundle.Status.DONE
        bundle.finished = timezone.now()
        bundle.save(update_fields=["file", "status", "finished"])
    except Exception as exc:
        ArchiveBundle.objects.filter(pk=bundle.pk).update(
            status=ArchiveBundle.Status.FAILED, error=str(exc)[:200], finished=timezone.now()
        )
        raise
    return bundle.pk


def renders_fail_stale(**filters) -> int:
    """Renderings whose worker stopped (killed, restarted) are failed, so a new download can ask again."""
    return ArchiveRender.objects.filter(
        status__in=ArchiveRender.ACTIVE, heartbeat__lt=stale_before(), **filters
    ).update(status=ArchiveRender.Status.FAILED, error=STALE_ERROR, finished=timezone.now())


def archive_render_request(*, branch: Branch, cycle: Cycle, user, day, key: str) -> ArchiveRender:
    """A rendering of the branch's archive queued for the worker; the one already queued or running if there is one."""
    try:
        with transaction.atomic():
            render = ArchiveRender(
                branch=branch,
                cycle=cycle,
                day=day,
                key=key,
                requested_by=user if getattr(user, "pk", None) else None,
            )
            render.save()
            transaction.on_commit(lambda: render_archive.enqueue(render.pk))
            return render
    except IntegrityError:
        # The partial unique index caught a concurrent request: hand out the one it made.
        return ArchiveRender.objects.get(branch=branch, cycle=cycle, status__in=ArchiveRender.ACTIVE)


@task()
def render_archive(render_id: int) -> int:
    """Lay out one branch's archive PDF for the day it was asked for, and store it under the state it shows."""
    render = ArchiveRender.objects.select_related("branch", "cycle").get(pk=render_id)
    started = ArchiveRender.objects.filter(pk=render.pk, status=ArchiveRender.Status.PENDING).update(
        status=ArchiveRender.Status.RUNNING, started=timezone.now(), heartbeat=timezone.now()
    )
    if not started:  # failed as stale and replaced while this task waited
        return render.pk
    try:
        html = archive.archive_html(cycle=render.cycle, branch=render.branch, today=render.day)
        ArchiveRender.objects.filter(pk=render.pk).update(heartbeat=timezone.now())
        data = archive.html_pdf(html)
        render.refresh_from_db()
        archive.store_render(render, key=archive.state_key(html), data=data)
    except Exception as exc:
        ArchiveRender.objects.filter(pk=render.pk).update(
            status=ArchiveRender.Status.FAILED, error=str(exc)[:200], finished=timezone.now()
        )
        raise
    return render.pk


def tasks_prune(*, keep_days: int) -> dict[str, int]:
    """The cron's clean-up: stuck work failed, old finished work deleted (README 运维).

    A worker killed mid-task leaves its django-tasks row RUNNING and its bundle active for ever; both are failed
    once their heartbeat is older than TASK_STALE_MINUTES. Finished bundles (and their ZIP files) and task results
    older than keep_days go.
    """
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    stale_bundles = bundles_fail_stale()
    renders_fail_stale()
    stuck = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=stale_before()
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="xinyi.tasks.WorkerLost",
        traceback=STALE_ERROR,
    )
    cutoff = timezone.now() - timedelta(days=keep_days)
    old_bundles = ArchiveBundle.objects.exclude(status__in=ArchiveBundle.ACTIVE).filter(finished__lt=cutoff)
    removed = 0
    for bundle in old_bundles:
        if bundle.file:
            bundle.file.delete(save=False)
        bundle.delete()
        removed += 1
    for render in ArchiveRender.objects.filter(status=ArchiveRender.Status.FAILED, finished__lt=cutoff):
        render.delete()
    results, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    return {
        "stale_bundles": stale_bundles,
        "stuck_tasks": stuck,
        "old_bundles": removed,
        "old_results": results,
    }
