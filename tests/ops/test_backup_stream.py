"""The backup streams (issue 15 item 5): written model by model with memory constant in the number of rows, checked
one record at a time, restored in batches inside one transaction; earlier files still restore."""

import json
import tracemalloc
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branch.models import Member
from tests import factories
from tests.bench import legacy
from xinyi import backup

pytestmark = pytest.mark.django_db


def _add_members(branch, n: int) -> None:
    start = Member.objects.count()
    Member.objects.bulk_create(
        Member(
            branch=branch,
            name=f"党员{start + i}",
            gender="M",
            birth_date=date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
            joined_on=date(2000, 7, 1),
            education="初中" * 5,
            mobile_location="",
        )
        for i in range(n)
    )


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def test_backup_memory_does_not_grow_with_the_rows(tmp_path, monkeypatch):
    """Three times the members, three times the file, the same peak: rows are written CHUNK at a time."""
    monkeypatch.setattr(backup, "CHUNK", 100)
    w = factories.world(members=3, logins=False)
    _add_members(w.branch, 1000)
    small = _peak_mb(lambda: backup.write(tmp_path / "small.json"))
    _add_members(w.branch, 2000)
    large = _peak_mb(lambda: backup.write(tmp_path / "large.json"))
    assert (tmp_path / "large.json").stat().st_size > 2.5 * (tmp_path / "small.json").stat().st_size
    assert large < small * 1.3, (small, large)


def test_restore_inserts_in_batches_and_gives_the_same_content(tmp_path):
    w = factories.world(members=3)
    _add_members(w.branch, 600)
    written = backup.write(tmp_path / "a.json")
    assert list(json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))) == [
        "format", "version", "created_at", "engine", "scope", "data", "manifest"
    ]  # fmt: skip
    expected = backup.build()
    backup.wipe()
    document = backup.read(tmp_path / "a.json")
    with CaptureQueriesContext(connection) as ctx:
        counts = backup.restore(document)
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    rows = sum(counts.values())
    assert rows > 600 and len(inserts) < rows / 20  # one save() a row before
    assert backup.same_content(expected, backup.build()) == []
    assert written["manifest"] == expected["manifest"]


def test_file_of_the_earlier_layout_still_restores(tmp_path):
    """Earlier backups: the manifest first, json.dump with indent=0, records sorted by the JSON text of their key."""
    w = factories.world(members=12)
    document = legacy._backup_build()
    for label, records in document["data"].items():
        document["data"][label] = sorted(records, key=lambda r: json.dumps(r["pk"]))
    document["manifest"] = backup.manifest_of(document["data"])
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document, ensure_ascii=False, cls=backup._Encoder, indent=0), encoding="utf-8")
    before = backup.build()
    backup.wipe()

    backup.restore(backup.read(path))

    assert backup.same_content(before, backup.build()) == []
    assert Member.objects.filter(branch__name=w.branch.name).count() == 15


def test_a_file_changed_after_it_was_checked_restores_nothing(tmp_path):
    factories.world(members=3)
    path = tmp_path / "a.json"
    backup.write(path)
    document = backup.read(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"ethnicity":"汉族"', '"ethnicity":"回族"', 1), encoding="utf-8")
    backup.wipe()
    with pytest.raises(backup.BackupError, match="已损坏.*branch.historicalmember"):
        backup.restore(document)
    assert backup.occupancy().empty
