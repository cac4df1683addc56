"""The backup file as its owner alone may read it: mode 0600, and optionally encrypted with a passphrase.

A backup holds password hashes and personal data (phones, birth dates, appraisal results). It is created 0600
whatever the umask, and `backup --encrypt` encrypts it with the passphrase in XINYI_BACKUP_PASSPHRASE:
OpenSSL's AES-256-CBC with a salted PBKDF2 key (600,000 rounds), so it can also be opened by hand with

    openssl enc -d -aes-256-cbc -pbkdf2 -iter 600000 -in FILE.enc -out FILE.json -pass env:XINYI_BACKUP_PASSPHRASE

Tampering is caught by restore's per-model checksums. The plain text exists only in a private temporary folder
while the file is encrypted or decrypted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PASSPHRASE_ENV = "XINYI_BACKUP_PASSPHRASE"
# What `openssl enc -salt` writes first: how restore tells an encrypted file from a JSON one.
OPENSSL_MAGIC = b"Salted__"
_OPENSSL = ["openssl", "enc", "-aes-256-cbc", "-pbkdf2", "-iter", "600000", "-pass", f"env:{PASSPHRASE_ENV}"]


class CryptError(Exception):
    pass


@contextlib.contextmanager
def private_file(path):
    """Create (or truncate) `path` with mode 0600 before anything is written into it, and keep new files private."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
    os.close(fd)
    old = os.umask(0o077)
    try:
        yield Path(path)
    finally:
        os.umask(old)


def _passphrase() -> str:
    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    if len(passphrase) < 12:
        raise CryptError(f"请在环境变量 {PASSPHRASE_ENV} 中设置至少 12 个字符的备份口令")
    return passphrase


def _openssl(args: list[str]) -> None:
    if shutil.which("openssl") is None:
        raise CryptError("加密备份需要 openssl 命令（Debian/Ubuntu：apt-get install openssl）")
    result = subprocess.run(_OPENSSL + args, capture_output=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CryptError("备份口令不正确，或文件不是加密备份")


def is_encrypted(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(OPENSSL_MAGIC)) == OPENSSL_MAGIC


@contextlib.contextmanager
def encrypting(output):
    """Yields a private plain-text path to write the backup to; on success `output` (0600) holds it encrypted."""
    _passphrase()
    with tempfile.TemporaryDirectory(prefix="xinyi-backup-") as tmp, private_file(output):
        plain = Path(tmp) / "backup.json"
        yield plain
        _openssl(["-salt", "-in", str(plain), "-out", str(output)])


@contextlib.contextmanager
def decrypted(path):
    """Yields a readable plain-text path: the file itself, or its decryption in a private temporary folder."""
    if not is_encrypted(path):
        yield Path(path)
        return
    _passphrase()
    old = os.umask(0o077)
    try:
        with tempfile.TemporaryDirectory(prefix="xinyi-restore-") as tmp:
            plain = Path(tmp) / "backup.json"
            _openssl(["-d", "-in", str(path), "-out", str(plain)])
            yield plain
    finally:
        os.umask(old)
