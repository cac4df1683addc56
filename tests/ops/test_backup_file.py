"""The backup file holds password hashes and personal data: only its owner reads it, and it can be encrypted."""

import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from branch.models import Member

pytestmark = pytest.mark.django_db
PASSPHRASE = "hong-qi-piao-piao-2019"


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_backup_is_written_readable_by_its_owner_only(world, tmp_path, open_umask):
    """Mode 0600 whatever the umask, also over an older backup that was 0644."""
    fresh = tmp_path / "fresh.json"
    call_command("backup", "-o", str(fresh), stdout=open(os.devnull, "w"))
    assert _mode(fresh) == 0o600
    older = tmp_path / "older.json"
    older.write_text("{}")
    older.chmod(0o644)
    call_command("backup", "-o", str(older), stdout=open(os.devnull, "w"))
    assert _mode(older) == 0o600 and world.members[1].name in older.read_text(encoding="utf-8")


def test_encrypted_backup_hides_everything_and_restores_with_the_passphrase(
    world, tmp_path, monkeypatch, open_umask
):
    monkeypatch.setenv("XINYI_BACKUP_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "xinyi.json.enc"
    call_command("backup", "-o", str(path), "--encrypt", stdout=open(os.devnull, "w"))
    data = path.read_bytes()
    assert data.startswith(b"Salted__") and _mode(path) == 0o600
    assert world.members[1].name.encode() not in data and b"md5$" not in data and b"pbkdf2" not in data

    monkeypatch.setenv("XINYI_BACKUP_PASSPHRASE", "another-long-passphrase")
    with pytest.raises(CommandError, match="备份口令不正确"):
        call_command("restore", str(path), "--replace", stdout=open(os.devnull, "w"))
    assert Member.objects.filter(pk=world.members[1].pk).exists()

    before = Member.objects.count()
    monkeypatch.setenv("XINYI_BACKUP_PASSPHRASE", PASSPHRASE)
    call_command("restore", str(path), "--replace", stdout=open(os.devnull, "w"))
    assert Member.objects.count() == before
    assert Member.objects.get(pk=world.members[1].pk).name == world.members[1].name


def test_encrypt_without_a_passphrase_is_refused_and_writes_nothing(world, tmp_path, monkeypatch):
    monkeypatch.delenv("XINYI_BACKUP_PASSPHRASE", raising=False)
    path = tmp_path / "x.enc"
    with pytest.raises(CommandError, match="XINYI_BACKUP_PASSPHRASE"):
        call_command("backup", "-o", str(path), "--encrypt", stdout=open(os.devnull, "w"))
    assert not path.exists()
