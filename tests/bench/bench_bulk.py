"""Issue 15 items 4 and 5 against today's code paths (tests/bench/legacy.py), measured in the same run.

Sizes: 5,000 roster rows and 100 branches × 50 members, times `--scale` (python -m tests.bench bulk --scale 0.2).
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from branch.models import Member
from branch.roster_excel import RosterError, import_roster
from branch.xlsx import workbook_bytes
from tests import factories
from tests.bench import legacy
from tests.bench.bench_overview import _branch_of
from xinyi import backup

ROOT = Path(__file__).resolve().parents[2]


def _scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1"))


def _roster(n: int, *, bad_last: bool, prefix: str) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["姓名", "性别", "民族", "出生日期", "入党日期", "人员类别", "党小组", "联系电话", "流动党员", "星级"]
    )
    for i in range(n):
        ws.append(
            [
                f"{prefix}{i}",
                "男" if i % 2 else "女",
                "汉族",
                f"{1950 + i % 40}.{1 + i % 12:02d}",
                f"2000-07-{1 + i % 28:02d}",
                "正式党员",
                f"第{i % 5 + 1}党小组",
                f"139{i:08d}",
                "",
                i % 6,
            ]
        )
    if bad_last:
        ws.cell(row=n + 1, column=5).value = "不知道"
    return workbook_bytes(wb)


def _seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _refused(fn):
    def run():
        try:
            fn()
        except RosterError:
            return
        raise AssertionError("the file should have been refused")

    return run


def bench_import(report):
    rows = int(5000 * _scale())
    settings.ROSTER_MAX_ROWS = max(
        settings.ROSTER_MAX_ROWS, rows
    )  # the bench measures past the production limit
    results = {}
    for name, fn in (("bulk", import_roster), ("row by row (today)", legacy.import_roster)):
        # The same file but the names: a member imported by one path would be "still in another branch" for the other.
        good = _roster(rows, bad_last=False, prefix=f"{name[:4]}党员")
        bad = _roster(rows, bad_last=True, prefix=f"{name[:4]}拒收")
        target = factories.branch()
        results[name] = (
            _seconds(lambda f=fn, t=target, d=good: f(branch=t, data=d)),
            _seconds(_refused(lambda f=fn, d=bad: f(branch=factories.branch(), data=d))),
        )
        assert Member.objects.filter(branch=target).count() == rows
    (new_ok, new_bad), (old_ok, old_bad) = results["bulk"], results["row by row (today)"]
    report(
        f"import roster {rows} rows accepted, bulk", new_ok, "s", f"goal ≤ 15 s; {old_ok / new_ok:.1f}× today"
    )
    report(f"import roster {rows} rows accepted, row by row (today)", old_ok, "s")
    report(
        f"import roster {rows} rows refused (last row), bulk",
        new_bad,
        "s",
        f"goal ≤ 5 s; {old_bad / new_bad:.1f}× today",
    )
    report(f"import roster {rows} rows refused (last row), row by row (today)", old_bad, "s")
    report(
        "import roster, refused / accepted (bulk)",
        100 * new_bad / new_ok,
        "%",
        "a fraction of an accepted file",
    )


CHILD = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyi.settings")
import django
django.setup()
from xinyi import backup
from tests.bench import legacy
t0 = time.perf_counter()
(backup.write if sys.argv[1] == "stream" else legacy.backup_write)(sys.argv[2])
seconds = time.perf_counter() - t0
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(int(status["VmHWM"].split()[0]) / 1024, seconds)
"""


def _backup_in_child(kind: str, db: str, out: str) -> tuple[float, float]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_DEBUG": "1", "AXES_ENABLED": "0"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, out],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    peak, seconds = done.stdout.split()
    return float(peak), float(seconds)


def bench_backup(report):
    branches = max(1, int(100 * _scale()))
    cycle = factories.cycle_2018()
    t = factories.township()
    for i in range(branches):
        w = _branch_of(t, 50, cycle)
        if i == 0:
            # History rows, as a live deployment has them (bulk-created members have none).
            for m in Member.objects.filter(branch=w.branch):
                m.phone = "13900000000"
                m.save()
    with tempfile.TemporaryDirectory() as tmp:
        new_path, old_path = os.path.join(tmp, "stream.json"), os.path.join(tmp, "legacy.json")
        if connection.vendor == "sqlite":
            db = os.path.join(tmp, "copy.sqlite3")
            connection.ensure_connection()
            target = sqlite3.connect(db)
            connection.connection.backup(target)
            target.close()
            new_rss, new_s = _backup_in_child("stream", db, new_path)
            old_rss, old_s = _backup_in_child("legacy", db, old_path)
            note = "whole `backup` process, VmHWM"
            report(
                f"backup {branches} branches × 50, peak RSS, streamed",
                new_rss,
                "MB",
                f"{note}; goal ≤ 200 MB; today uses {old_rss / new_rss:.1f}× as much",
            )
            report(f"backup {branches} branches × 50, peak RSS, in memory (today)", old_rss, "MB", note)
            report(
                f"backup {branches} branches × 50, time, streamed", new_s, "s", f"{old_s / new_s:.1f}× today"
            )
            report(f"backup {branches} branches × 50, time, in memory (today)", old_s, "s")
        else:
            backup.write(new_path)
            legacy.backup_write(old_path)
            report(
                "backup peak RSS",
                0,
                "-",
                "measured on SQLite only (a copy of the database for a child process)",
            )
        rows = sum(m["count"] for m in backup.read(new_path)["manifest"])
        report("backup file", os.path.getsize(new_path) / 1024 / 1024, "MB", f"{rows} rows")
        before = backup.build()

        backup.wipe()
        new_restore = _seconds(lambda: backup.restore(backup.read(new_path)))
        assert backup.same_content(before, backup.build()) == []
        backup.wipe()
        old_restore = _seconds(lambda: legacy.backup_restore(legacy.backup_read(old_path)))
        assert backup.same_content(before, backup.build()) == []
        report(
            f"restore {rows} rows (read, check, load), batched",
            new_restore,
            "s",
            f"goal ≥ 10× today; {old_restore / new_restore:.1f}× today",
        )
        report(f"restore {rows} rows, a save() a row (today)", old_restore, "s")


def run(report):
    bench_import(report)
    bench_backup(report)
