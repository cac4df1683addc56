"""Backup and restore lose nothing: backup → restore → backup gives the same content, on any engine."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from branch.models import Branch, Cycle, Member, Scope
from meetings.models import RequiredMaterial
from xinyi import backup

ROOT = Path(__file__).resolve().parents[2]


def _xinyi_pk() -> int:
    return Branch.objects.get(name="新义村党支部").pk


def _seed():
    call_command("seed_demo", stdout=open(os.devnull, "w"))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The full demo, seeded once for this module's tests (each test still rolls back its own changes)."""
    with django_db_blocker.unblock(), transaction.atomic():
        _seed()
        yield
        transaction.set_rollback(True)


def _backup(path, *args):
    call_command("backup", "-o", str(path), *args, stdout=open(os.devnull, "w"))
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _restore(path, *args):
    call_command("restore", str(path), *args, stdout=open(os.devnull, "w"))


def _counts(document):
    return {m["model"]: m["count"] for m in document["manifest"]}


@pytest.mark.django_db
def test_restore_into_freshly_migrated_database_keeps_everything(demo, tmp_path):
    """Only migration rows (the 2018 cycle, its required materials) count as empty; the backup replaces them."""
    first = _backup(tmp_path / "a.json")
    backup.wipe()
    assert backup.occupancy().empty
    assert Cycle.objects.filter(year=2018).exists() and RequiredMaterial.objects.exists()

    _restore(tmp_path / "a.json")
    second = _backup(tmp_path / "b.json")

    assert backup.same_content(first, second) == []
    others = sum(1 for r in first["data"]["branch.member"] if r["fields"]["branch"] != _xinyi_pk())
    assert (
        Member.objects.filter(branch__name="新义村党支部").count() == _counts(first)["branch.member"] - others
    )
    assert others >= 10  # 双山村, and the second township's branches


@pytest.mark.django_db
def test_restore_into_non_empty_database_is_refused_unless_replace(demo, tmp_path):
    """A database with records is not overwritten by accident; --replace wipes and restores."""
    first = _backup(tmp_path / "a.json")
    member = Member.objects.get(name="宝音")
    member.phone = "13900000000"
    member.save()

    with pytest.raises(CommandError, match="目标数据库不是空的.*--replace"):
        _restore(tmp_path / "a.json")
    assert Member.objects.get(pk=member.pk).phone == "13900000000"  # nothing changed

    from xinyi.models import ArchiveRender

    ArchiveRender.objects.create(branch=member.branch, cycle=Cycle.objects.get(year=2018), day="2019-03-01")
    _restore(tmp_path / "a.json", "--replace")
    assert Member.objects.get(pk=member.pk).phone != "13900000000"
    assert not ArchiveRender.objects.exists()  # what was derived from the wiped rows goes with them
    assert backup.same_content(first, _backup(tmp_path / "b.json")) == []


@pytest.mark.django_db
def test_branch_backup_holds_that_branch_and_its_logins_only(demo, tmp_path):
    """--branch: the branch's members, posts, groups, history, scopes and the users they point at; no other branch."""
    doc = _backup(tmp_path / "main.json", "--branch", "新义村党支部")
    main = Branch.objects.get(name="新义村党支部")
    members = doc["data"]["branch.member"]
    assert len(members) == Member.objects.filter(branch=main).count()
    assert {r["fields"]["branch"] for r in members} == {main.pk}
    usernames = {r["fields"]["username"] for r in doc["data"]["auth.user"]}
    assert {"secretary", "committee", "member"} <= usernames
    assert "secretary2" not in usernames  # the other branch's secretary
    # The reviewer's login comes along only as the author of this branch's rows (history, review acts), not its scope.
    assert {r["fields"]["role"] for r in doc["data"]["branch.scope"]} <= {"secretary", "committee", "member"}

    backup.wipe()
    _restore(tmp_path / "main.json")
    assert not Branch.objects.filter(name="双山村党支部").exists()
    again = _backup(tmp_path / "again.json", "--branch", "新义村党支部")
    assert backup.same_content(doc, again) == []


@pytest.mark.django_db
def test_backup_unknown_branch_is_a_chinese_error(tmp_path):
    with pytest.raises(CommandError, match="没有名为"):
        _backup(tmp_path / "x.json", "--branch", "不存在的支部")


@pytest.mark.django_db
def test_damaged_backup_is_refused_and_nothing_is_loaded(demo, tmp_path):
    """The manifest's sha256 catches an edited record."""
    doc = _backup(tmp_path / "a.json")
    doc["data"]["branch.member"][0]["fields"]["phone"] = "00000000000"
    (tmp_path / "bad.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    backup.wipe()
    with pytest.raises(CommandError, match="已损坏.*branch.member"):
        _restore(tmp_path / "bad.json")
    assert backup.occupancy().empty


@pytest.mark.django_db
def test_backup_written_on_sqlite_restores_on_this_engine(tmp_path):
    """A backup taken by another process on SQLite loads here (PostgreSQL in CI) with the same content."""
    db = tmp_path / "source.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_DEBUG": "1", "AXES_ENABLED": "0"}
    for cmd in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["backup", "-o", str(tmp_path / "s.json")]):
        subprocess.run(
            [sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, check=True, capture_output=True
        )
    source = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert source["engine"] == "sqlite"
    backup.wipe()  # this module's demo may be loaded: make the database freshly migrated again

    _restore(tmp_path / "s.json")
    here = _backup(tmp_path / "here.json")

    assert backup.same_content(source, here) == []
    # New rows get fresh ids after the restored ones (sequences were reset on PostgreSQL).
    new_scope_user = Member.objects.create(
        branch=Branch.objects.first(),
        name="新党员",
        gender="M",
        birth_date="1990-01-01",
        joined_on="2015-01-01",
    )
    assert new_scope_user.pk > max(r["pk"] for r in source["data"]["branch.member"])


def test_every_model_of_our_apps_is_in_the_backup_and_placed_for_branch_backups():
    """Models added later by any app are covered: each has a path to Branch, or is reference data, or is Township."""
    Branch_ = apps.get_model("branch", "Branch")
    labels = {backup.label_of(m) for m in backup.backup_models()}
    unplaced = []
    for label in ("branch", "meetings", "appraisal", "rectification"):
        for model in apps.get_app_config(label).get_models():
            assert backup.label_of(model) in labels
            placed = (
                backup.path_to(model, Branch_) is not None
                or backup.is_reference_model(model)
                or model._meta.label == "branch.Township"
            )
            if not placed:
                unplaced.append(model._meta.label)
    assert unplaced == [], f"这些模型在单支部备份中没有归属（请给它们一条到 Branch 的外键路径）：{unplaced}"
    assert "branch.historicalmember" in labels and "auth.user" in labels
    assert "contenttypes.contenttype" not in labels and "sessions.session" not in labels
    assert Scope  # scopes travel with the app models


@pytest.mark.django_db
def test_uploaded_photos_travel_in_the_backup_file(demo, tmp_path, settings):
    """A rectification photo (any FileField) is written into the backup and comes back byte for byte."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path / "media")
    Measure = apps.get_model("rectification", "Measure")
    measure = Measure.objects.first()
    photo = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    measure.photo.save("整改照片.png", ContentFile(photo), save=True)
    name = measure.photo.name
    doc = _backup(tmp_path / "a.json")
    assert [r["pk"] for r in doc["data"]["media.files"]] == [name]

    backup.wipe()
    default_storage.delete(name)
    _restore(tmp_path / "a.json")

    assert Measure.objects.get(pk=measure.pk).photo.name == name
    with default_storage.open(name, "rb") as fh:
        assert fh.read() == photo
    assert backup.same_content(doc, _backup(tmp_path / "b.json")) == []
