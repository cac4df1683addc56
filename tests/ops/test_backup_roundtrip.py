"""The full round trip on a database with nothing in it: backup → flush → restore → backup is identical.

In its own module: it must run outside test_backup.py's module-wide demo transaction (a flush needs a real
transaction-less database, on PostgreSQL as on SQLite).
"""

import json
import os
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from branch.models import Member
from xinyi import backup


def _backup(path):
    call_command("backup", "-o", str(path), stdout=open(os.devnull, "w"))
    return json.loads(Path(path).read_text(encoding="utf-8"))


# No serialized_rollback: a transactional test before it flushes and post_migrate re-creates the content types under other
# ids, and restoring the serialized snapshot then collides with them. After this test's flush, post_migrate puts the
# reference rows (the plan's cycle and materials) back, which is all later tests need.
@pytest.mark.django_db(transaction=True)
def test_full_demo_round_trip_into_a_flushed_database_is_identical(tmp_path):
    """Backup of the full demo, flush (only migration-made rows left), restore, backup again: same content."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    first = _backup(tmp_path / "a.json")
    counts = {m["model"]: m["count"] for m in first["manifest"]}
    assert counts["branch.member"] == Member.objects.count() > 0
    assert counts["branch.historicalmember"] > 0
    call_command("flush", interactive=False, verbosity=0)
    # Only what migrations make is left (post_migrate puts the plan's cycle back after a flush): "empty".
    assert Member.objects.count() == 0 and backup.occupancy().empty

    call_command("restore", str(tmp_path / "a.json"), stdout=open(os.devnull, "w"))
    second = _backup(tmp_path / "b.json")

    assert backup.same_content(first, second) == []
    assert first["data"] == second["data"]
    # Password hashes came back: the demo secretary logs in with the demo password.
    assert authenticate(username="secretary", password="xinyi2019demo") is not None
