"""Backup and restore of the full demo: time and file size."""

import json
import os
import tempfile
import time

from django.core.management import call_command

from xinyi import backup


def run(report):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "demo.json")
        start = time.perf_counter()
        document = backup.write(path)
        report("backup full demo", (time.perf_counter() - start) * 1000, "ms")
        report(
            "backup file",
            os.path.getsize(path) / 1024,
            "KiB",
            f"{sum(m['count'] for m in document['manifest'])} rows",
        )
        backup.wipe()
        start = time.perf_counter()
        backup.restore(backup.read(path))
        report("restore full demo (read, check, load)", (time.perf_counter() - start) * 1000, "ms")
        again = backup.build()
        assert backup.same_content(json.loads(open(path, encoding="utf-8").read()), again) == []
