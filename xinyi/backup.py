"""Backup and restore of one deployment (or one branch) as one versioned JSON file.

What a backup holds, for every model of our four apps (found at run time, so models added later are covered):
- every row, including the simple-history tables (their models live in the same apps);
- the logins (auth.User with password hashes, auth.Group) and, through the apps, each login's Scope;
- the uploaded files the rows point at (FileField/ImageField: rectification photos, archive ZIPs), base64 under
  "media.files", each with its sha256.
What it leaves out, on purpose: contenttypes and permissions (migrations recreate them; a user's permissions and
groups are written as natural keys, so ids of content types never matter), sessions, admin log entries,
django-axes attempt/lockout logs and the task queue. Those are runtime state, not records.

File layout (format "xinyi-backup", version 1), one JSON object:
    {"format", "version", "created_at", "engine", "scope": {"kind": "all"|"branch", "branch": name},
     "data": {"app.model": [{"pk": ..., "fields": {...}}, ...]},
     "manifest": [{"model": "app.model", "count": n, "sha256": hex}, ...]}
The order of the keys does not matter to a reader: write() puts the manifest last because it streams the data first
(model by model, CHUNK rows at a time, one record a line), and read() accepts any layout (earlier backups put the
manifest first, json.dump with indent=0). The sha256 of a model is taken over its records in the file's order, as
_dump(records); write() puts them in canonical order (by pk, integer keys as numbers), so two backups of the same
content have the same manifest whatever the engine or the time they were taken.
Reading is streamed too: read() checks every count and checksum with one record in memory at a time, and restore()
reads the file again and inserts CHUNK rows per statement, inside one transaction.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

FORMAT = "xinyi-backup"
VERSION = 1
OUR_APPS = ("branch", "meetings", "appraisal", "rectification", "xinyi")
# Uploaded files (rectification photos, archive ZIPs) travel in the same file, base64, under this label.
FILES = "media.files"


class BackupError(Exception):
    """A backup that cannot be read or a database that cannot take it (message in Chinese)."""


# ---------------------------------------------------------------- which models


def account_models() -> list[type[models.Model]]:
    return [apps.get_model("auth", "Group"), get_user_model()]


def app_models() -> list[type[models.Model]]:
    """Every concrete model of our apps, historical models included, in a stable order."""
    found = []
    for label in OUR_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        found += [m for m in config.get_models() if not m._meta.proxy and m._meta.managed]
    return found


def backup_models() -> list[type[models.Model]]:
    return account_models() + app_models()


def label_of(model) -> str:
    return model._meta.label_lower


def _owner_models():
    Branch = apps.get_model("branch", "Branch")
    Township = apps.get_model("branch", "Township")
    return Branch, Township, get_user_model()


# Keys that say who issued or opened a row, not whose it is: a cycle opened by a township is still shared reference
# data (every branch of the township takes part in it), so it travels whole, like the plan's 2018 cycle.
NOT_OWNERSHIP = {("branch.cycle", "township"), ("branch.cycle", "opened_by")}


def _fk_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation
        and (f.many_to_one or f.one_to_one)
        and (model._meta.label_lower, f.name) not in NOT_OWNERSHIP
    ]


def path_to(model, target) -> str | None:
    """Shortest chain of foreign keys from `model` to `target` ("" for target itself), or None."""
    if model is target:
        return ""
    seen = {model}
    queue = deque([(model, "")])
    while queue:
        current, path = queue.popleft()
        for f in _fk_fields(current):
            related = f.related_model
            if related is None or related in seen:
                continue
            step = f"{path}__{f.name}" if path else f.name
            if related is target:
                return step
            seen.add(related)
            queue.append((related, step))
    return None


def is_reference_model(model) -> bool:
    """Rows that belong to no branch, township or login: the cycle and its required materials (data migrations).

    A freshly migrated database may already hold such rows; they are not a deployment's own records.
    """
    owners = _owner_models()
    if model in owners or model in account_models():
        return False
    return all(path_to(model, owner) is None for owner in owners)


# ---------------------------------------------------------------- writing

# Rows are read, serialized and written this many at a time: memory depends on this, not on the size of the deployment.
CHUNK = 1000


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes keep their microseconds (Django's cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _pk_key(pk):
    """Canonical order of records: integer keys as numbers (the database's order), any other key by its JSON text."""
    return (0, pk, "") if isinstance(pk, int) else (1, 0, json.dumps(pk, cls=_Encoder))


def _canonical(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: _pk_key(r["pk"]))


def _dump(records) -> str:
    return json.dumps(records, cls=_Encoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class _Checksum:
    """sha256 of _dump(records) and their count, fed one record at a time: "[" + records joined by "," + "]"."""

    def __init__(self):
        self.sha, self.count = hashlib.sha256(b"["), 0

    def add(self, text: str) -> None:
        self.sha.update((b"," if self.count else b"") + text.encode())
        self.count += 1

    def entry(self, label: str) -> dict:
        sha = self.sha.copy()
        sha.update(b"]")
        return {"model": label, "count": self.count, "sha256": sha.hexdigest()}


def _natural_fk_fields(model) -> list[str]:
    """Foreign keys written as natural keys (to logins, groups): fetched with their rows, not one query per row."""
    return [f.name for f in _fk_fields(model) if hasattr(f.related_model, "natural_key")]


def _serialize_chunk(model, queryset) -> list[dict]:
    rows = serializers.serialize(
        "python",
        queryset.select_related(*_natural_fk_fields(model)),
        use_natural_foreign_keys=True,
        use_natural_primary_keys=False,
    )
    # A round trip through JSON makes dates, times and decimals the same strings whatever the engine returned.
    return json.loads(_dump([{"pk": r["pk"], "fields": r["fields"]} for r in rows]))


def _records(model, queryset) -> Iterator[dict]:
    """Canonical records of a queryset in canonical order, CHUNK rows at a time (keyset pagination on the key)."""
    pk_field = model._meta.pk
    if isinstance(
        pk_field, (models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField)
    ):
        last = None
        while True:
            chunk = queryset.order_by("pk")
            if last is not None:
                chunk = chunk.filter(pk__gt=last)
            records = _serialize_chunk(model, chunk[:CHUNK])
            yield from records
            if len(records) < CHUNK:
                return
            last = records[-1]["pk"]
    else:  # another kind of key: the keys alone are sorted in memory, the rows still come a chunk at a time
        keys = sorted(queryset.values_list("pk", flat=True), key=lambda pk: _pk_key(json.loads(_dump(pk))))
        for start in range(0, len(keys), CHUNK):
            records = _serialize_chunk(model, queryset.filter(pk__in=keys[start : start + CHUNK]))
            yield from _canonical(records)


def _serialize(model, queryset) -> list[dict]:
    return list(_records(model, queryset))


def _branch_querysets(branch) -> dict:
    """One branch's records. Edges (decided here, said in the README):
    - rows with a foreign-key path to Branch: those of this branch (members, posts, groups, study, talks,
      problems, the meeting, appraisal, rectification, their history rows, the secretary/committee/member scopes);
    - the branch's township row; reference rows (cycles, required materials) entirely;
    - logins: every user a kept row points to (member logins, scopes, history_user, recorded_by, ...);
    - not kept: the township reviewer's scope and other branches' rows.
    """
    Branch, Township, User = _owner_models()
    result = {}
    for model in app_models():
        qs = model._base_manager.all()
        if model is Township:
            result[model] = qs.filter(pk=branch.township_id)
            continue
        path = path_to(model, Branch)
        if path is not None:
            result[model] = qs.filter(**{(f"{path}_id" if path else "pk"): branch.pk})
        elif is_reference_model(model):
            result[model] = qs
        # anything else (e.g. a township-only row) is not the branch's
    return result


def _querysets(*, branch=None) -> list[tuple[type[models.Model], models.QuerySet]]:
    """(model, rows) of the deployment or of one branch, in the file's order: groups and logins first."""
    if branch is None:
        return [(m, m._base_manager.all()) for m in backup_models()]
    User = get_user_model()
    Group = apps.get_model("auth", "Group")
    kept = _branch_querysets(branch)
    user_ids: set[int] = set()
    for model, qs in kept.items():
        for f in _fk_fields(model):
            if f.related_model is User:
                user_ids.update(v for v in qs.values_list(f.attname, flat=True).distinct() if v is not None)
    users = User._base_manager.filter(pk__in=user_ids)
    group_ids = set(users.values_list("groups", flat=True)) - {None}
    return [(Group, Group.objects.filter(pk__in=group_ids)), (User, users), *kept.items()]


def _file_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _file_names(data: dict[str, list[dict]]) -> set[str]:
    """Names of the stored files that the kept rows point at (FileField / ImageField values)."""
    by_label = {label_of(m): m for m in backup_models()}
    names = set()
    for label, records in data.items():
        model = by_label.get(label)
        if model is None:
            continue
        fields = _file_fields(model)
        for record in records:
            names.update(record["fields"][f] for f in fields if record["fields"].get(f))
    return names


def _file_records(names: set[str]) -> Iterator[dict]:
    """One record per stored file, read one file at a time."""
    for name in sorted(names):
        if not default_storage.exists(name):
            continue  # a row pointing at a lost file: the row is kept, the file cannot be
        with default_storage.open(name, "rb") as fh:
            content = fh.read()
        yield {
            "pk": name,
            "fields": {
                "sha256": hashlib.sha256(content).hexdigest(),
                "content": base64.b64encode(content).decode(),
            },
        }


def _files(names: set[str]) -> list[dict]:
    return list(_file_records(names))


def collect(*, branch=None) -> dict[str, list[dict]]:
    """Canonical records of the deployment (or of one branch) in memory, model label -> records in canonical order.

    For comparisons and small scopes; write() streams the same records to the file instead.
    """
    data = {label_of(model): _serialize(model, qs) for model, qs in _querysets(branch=branch)}
    data[FILES] = _files(_file_names(data))
    return data


def manifest_of(data: dict[str, list[dict]]) -> list[dict]:
    return [
        {"model": label, "count": len(records), "sha256": hashlib.sha256(_dump(records).encode()).hexdigest()}
        for label, records in data.items()
    ]


def _head(*, branch=None) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "scope": {"kind": "branch", "branch": branch.name} if branch else {"kind": "all"},
    }


def build(*, branch=None) -> dict:
    """The whole document in memory (what write() streams), for comparisons."""
    data = collect(branch=branch)
    return {**_head(branch=branch), "manifest": manifest_of(data), "data": data}


def write(path, *, branch=None) -> dict:
    """Write the backup to `path`, model by model and CHUNK rows at a time; returns the document without its data.

    The file is one JSON object, the data before the manifest (which is known only at the end):
        {"format": ..., "scope": ..., "data": {"app.model": [record, ...], ...}, "manifest": [...]}
    with one record a line. Any JSON reader reads it; read() streams it.
    """
    head = _head(branch=branch)
    with transaction.atomic():  # one consistent snapshot (repeatable on PostgreSQL for the reads below)
        try:
            with open(path, "w", encoding="utf-8") as fh:
                manifest = _stream_document(fh, head, branch=branch)
        except BaseException:
            Path(path).unlink(missing_ok=True)  # never leave half a backup that looks like one
            raise
    return {**head, "manifest": manifest}


def _stream_document(fh, head: dict, *, branch=None) -> list[dict]:
    def as_json(value) -> str:
        return json.dumps(value, cls=_Encoder, ensure_ascii=False)

    fh.write("{" + "".join(f"{as_json(k)}: {as_json(v)},\n" for k, v in head.items()) + '"data": {')
    manifest, names = [], set()
    sections = [(label_of(m), _records(m, qs), _file_fields(m)) for m, qs in _querysets(branch=branch)]
    sections.append((FILES, None, []))
    for index, (label, records, file_fields) in enumerate(sections):
        if records is None:  # the files come last: their names are those of the rows written before
            records = _file_records(names)
        fh.write(("," if index else "") + f"\n{as_json(label)}: [")
        checksum = _Checksum()
        for record in records:
            text = _dump(record)
            fh.write(("," if checksum.count else "") + "\n" + text)
            checksum.add(text)
            names.update(record["fields"][f] for f in file_fields if record["fields"].get(f))
        fh.write("]")
        manifest.append(checksum.entry(label))
    fh.write('},\n"manifest": ' + as_json(manifest) + "}\n")
    return manifest


# ---------------------------------------------------------------- reading

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Reader:
    """Pulls the top two levels of a backup document apart and decodes each record alone, from a buffer of ~1 MB.

    Any layout of the same JSON reads the same (this version's one record a line, json.dump's indent=0 of the
    earlier version, one line), so every backup written so far restores.
    """

    def __init__(self, fh):
        self.fh, self.buf, self.pos, self.eof = fh, "", 0, False

    def _more(self) -> bool:
        chunk = "" if self.eof else self.fh.read(1 << 20)
        if not chunk:
            self.eof = True
            return False
        self.buf, self.pos = self.buf[self.pos :] + chunk, 0
        return True

    def peek(self) -> str:
        while True:
            self.pos = _WHITESPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                raise ValueError("文件在中途结束")

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"第 {self.pos} 个字符处应为“{char}”")
        self.pos += 1

    def comma(self) -> bool:
        if self.peek() == ",":
            self.pos += 1
            return True
        return False

    def value(self):
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if self._more():
                    continue
                raise
            if end == len(self.buf) and self._more():
                continue  # a number at the end of the buffer may go on in the next chunk
            self.pos = end
            return value


def _events(fh) -> Iterator[tuple[str, str, object]]:
    """("head", key, value) for each top-level key but "data"; ("model", label, None) then ("record", label, record)
    for each record of each model under "data". Raises ValueError on anything else."""
    r = _Reader(fh)
    r.take("{")
    while r.peek() != "}":
        key = r.value()
        r.take(":")
        if key != "data":
            yield "head", key, r.value()
        else:
            r.take("{")
            while r.peek() != "}":
                label = r.value()
                r.take(":")
                r.take("[")
                yield "model", label, None
                while r.peek() != "]":
                    yield "record", label, r.value()
                    if not r.comma():
                        break
                r.take("]")
                if not r.comma():
                    break
            r.take("}")
        if not r.comma():
            break
    r.take("}")


class BackupFile(Mapping):
    """A backup file checked by read(): its top-level keys (format, scope, manifest ...) without the data, which
    restore() streams from the file again."""

    def __init__(self, path, head: dict):
        self.path, self._head = path, head

    def __getitem__(self, key):
        return self._head[key]

    def __iter__(self):
        return iter(self._head)

    def __len__(self):
        return len(self._head)

    def sections(self) -> Iterator[tuple[str, Iterator[dict]]]:
        """(label, its records) in the file's order, read again from the file."""
        with open(self.path, encoding="utf-8") as fh:
            yield from _sections(_events(fh))


def _sections(events) -> Iterator[tuple[str, Iterator[dict]]]:
    events = iter(events)
    pending = next(events, None)

    def records_of(label):
        nonlocal pending
        while True:
            pending = next(events, None)
            if pending is None or pending[0] != "record":
                return
            yield pending[2]

    while pending is not None:
        kind, label, _ = pending
        if kind != "model":
            pending = next(events, None)
            continue
        records = records_of(label)
        yield label, records
        for _ in records:  # whatever the caller left unread
            pass


def _check_head(head: dict) -> None:
    if head.get("format") != FORMAT:
        raise BackupError("这不是本系统的备份文件")
    if head.get("version") != VERSION:
        raise BackupError(f"备份文件版本 {head.get('version')} 不受支持（本程序读取版本 {VERSION}）")


def _verify(head: dict, actual: list[dict]) -> None:
    expected = {m["model"]: m for m in head.get("manifest", [])}
    found = {m["model"]: m for m in actual}
    if expected != found:
        broken = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))
        raise BackupError(f"备份文件已损坏：以下数据的校验和或条数不符：{', '.join(broken)}")


def _checked(sections, known: set[str], checksums: list[dict]) -> Iterator[tuple[str, Iterator[dict]]]:
    """The sections, refusing an unknown label at once, each record counted into `checksums` as it passes."""
    for label, records in sections:
        if label not in known:
            raise BackupError(f"备份中有本程序不认识的数据：{label}（请用相同版本的程序恢复）")
        checksum = _Checksum()

        def counted(records=records, checksum=checksum, label=label):
            for record in records:
                checksum.add(_dump(record))
                yield record
            checksums.append(checksum.entry(label))

        yield label, counted()


def read(path) -> BackupFile:
    """Check a backup file from end to end (format, version, every model's count and checksum) without loading it:
    one record in memory at a time. Returns the file's top-level keys; restore() reads the data again."""
    known = {label_of(m) for m in backup_models()} | {FILES}
    head: dict = {}
    checksums: list[dict] = []

    def data_events(events):
        for kind, key, value in events:
            if kind == "head":
                head[key] = value
                continue
            _check_head(head)  # format and version come before the data: any other file is refused unread
            yield kind, key, value

    try:
        with open(path, encoding="utf-8") as fh:
            for _label, records in _checked(_sections(data_events(_events(fh))), known, checksums):
                for _ in records:
                    pass
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"无法读取备份文件：{exc}") from exc
    _check_head(head)
    _verify(head, checksums)
    return BackupFile(path, head)


@dataclass
class Occupancy:
    users: int
    records: dict[str, int]

    @property
    def empty(self) -> bool:
        return self.users == 0 and not self.records

    def describe(self) -> str:
        parts = [f"{self.users} 个登录账号"] if self.users else []
        names = {label_of(m): str(m._meta.verbose_name) for m in app_models()}
        parts += [f"{names.get(label, label)} {n} 条" for label, n in sorted(self.records.items())]
        return "、".join(parts)


def occupancy() -> Occupancy:
    """What the database already holds beyond what migrations create (reference rows do not count)."""
    User = get_user_model()
    records = {}
    for model in app_models():
        if is_reference_model(model):
            continue
        n = model._base_manager.count()
        if n:
            records[label_of(model)] = n
    return Occupancy(users=User._base_manager.count(), records=records)


def _through_models(model_list):
    result = []
    for model in model_list:
        for f in model._meta.local_many_to_many:
            through = f.remote_field.through
            if through._meta.auto_created and through not in result:
                result.append(through)
    return result


def wipe() -> None:
    """Delete the deployment's rows (and what points at logins: admin log entries, sessions).

    Reference rows made by migrations (cycles, required materials) stay: the database looks freshly migrated.

    Raw deletes: foreign keys are checked at commit, when every table in the set is empty.
    """
    targets = [m for m in backup_models() if not is_reference_model(m)]
    extra = [apps.get_model("admin", "LogEntry"), apps.get_model("sessions", "Session")]
    # What xinyi derives from the rows (ZIPs, stored archive renderings, stored progress, temporary passwords) is not
    # backed up; it points at branches, townships and logins, so it goes first (it is made again on demand).
    derived = [m for m in apps.get_app_config("xinyi").get_models() if not m._meta.proxy and m._meta.managed]
    for model in derived:
        model._base_manager.all()._raw_delete(using=connection.alias)
    # A cycle a township opened goes with the township (its required materials with it); the common ones stay.
    Cycle = apps.get_model("branch", "Cycle")
    issued = Cycle._base_manager.filter(township__isnull=False)
    apps.get_model("meetings", "RequiredMaterial")._base_manager.filter(cycle__in=issued)._raw_delete(
        using=connection.alias
    )
    issued._raw_delete(using=connection.alias)
    Cycle._base_manager.filter(opened_by__isnull=False).update(opened_by=None)
    for model in _through_models(targets) + extra + list(reversed(targets)):
        model._base_manager.all()._raw_delete(using=connection.alias)


def _clear_reference_rows() -> None:
    refs = [m for m in app_models() if is_reference_model(m)]
    for model in _through_models(refs) + list(reversed(refs)):
        model._base_manager.all()._raw_delete(using=connection.alias)


def restore(document: dict | BackupFile, *, replace: bool = False) -> dict[str, int]:
    """Load a backup into this database, all or nothing, CHUNK records at a time inside one transaction.

    Empty database (no login, no row outside the migration-made reference rows): the reference rows are
    replaced by the backup's. Otherwise refused, unless replace=True: then every row of the deployment is
    deleted first (the whole deployment, also for a one-branch backup).

    `document` is what read() returned (the data is streamed from its file again, and its checksums checked again:
    a file changed since read() is refused and nothing kept) or a whole document in memory (build()).
    """
    models_by_label = {label_of(m): m for m in backup_models()}
    if isinstance(document, BackupFile):
        sections, head = document.sections(), document
    else:
        sections, head = ((label, iter(records)) for label, records in document["data"].items()), None
    checksums: list[dict] = []
    with transaction.atomic():
        if replace:
            wipe()
        else:
            occupied = occupancy()
            if not occupied.empty:
                raise BackupError(
                    "目标数据库不是空的（已有" + occupied.describe() + "）。恢复只写入空数据库；"
                    "如确需用备份覆盖现有全部数据，请加 --replace。"
                )
        _clear_reference_rows()
        keys = _NaturalKeys()
        counts = {}
        for label, records in _checked(sections, set(models_by_label) | {FILES}, checksums):
            counts[label] = 0
            for batch in _batches(records, 1 if label == FILES else CHUNK):  # a file can be megabytes
                if label == FILES:
                    _restore_files(batch)
                else:
                    _insert(models_by_label[label], batch, keys)
                counts[label] += len(batch)
        if head is not None:
            _verify(head, checksums)
        _reset_sequences(list(models_by_label.values()))
    return counts


def _batches(records: Iterator[dict], size: int) -> Iterator[list[dict]]:
    while batch := list(itertools.islice(records, size)):
        yield batch


class _NaturalKeys:
    """Natural keys of the file (["secretary"] for a login, a permission's three names) to primary keys, each looked
    up once: Django's deserializer would look every one up again for every row that holds it."""

    def __init__(self):
        self.found: dict[tuple, object] = {}

    def pk(self, model, key):
        if not isinstance(key, list):
            return key
        found = self.found.get((model, *key))
        if found is None:
            try:
                found = model._default_manager.get_by_natural_key(*key).pk
            except model.DoesNotExist:
                raise BackupError(f"备份文件引用了不存在的{model._meta.verbose_name}：{key}") from None
            self.found[(model, *key)] = found
        return found

    def resolve(self, model, fields: dict) -> dict:
        fields = dict(fields)
        for f in model._meta.get_fields():
            if f.name not in fields or not f.is_relation or not hasattr(f.related_model, "natural_key"):
                continue
            if f.many_to_many:
                fields[f.name] = [self.pk(f.related_model, key) for key in fields[f.name]]
            elif fields[f.name] is not None:
                fields[f.name] = self.pk(f.related_model, fields[f.name])
        return fields


def _insert(model, records: list[dict], keys: _NaturalKeys) -> None:
    """A batch of rows as they were (raw: auto_now fields keep their stored time, no signals, no history rows), then
    their many-to-many rows. Foreign keys are checked at commit, so the order of models does not matter."""
    label = label_of(model)
    rows = [{"model": label, "pk": r["pk"], "fields": keys.resolve(model, r["fields"])} for r in records]
    deserialized = list(serializers.deserialize("python", rows))
    objs = [d.object for d in deserialized]
    fields = model._meta.local_concrete_fields
    size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    for start in range(0, len(objs), size):
        # The insert Model.save_base(raw=True) makes for one row, for many rows (bulk_create would apply auto_now).
        model._base_manager._insert(objs[start : start + size], fields=fields, raw=True)
    for f in model._meta.local_many_to_many:
        through = f.remote_field.through
        if not through._meta.auto_created:
            continue  # an explicit through model is a model of the file itself
        source, target = f.m2m_field_name() + "_id", f.m2m_reverse_field_name() + "_id"
        links = [
            through(**{source: d.object.pk, target: pk})
            for d in deserialized
            for pk in d.m2m_data.get(f.name, [])
        ]
        if links:
            # PostgreSQL's batch size is the number of rows: never 0 (bulk_create refuses it).
            through._base_manager.bulk_create(
                links, batch_size=connection.ops.bulk_batch_size([source, target], links) or None
            )


def _restore_files(records: list[dict]) -> None:
    for record in records:
        name = record["pk"]
        content = base64.b64decode(record["fields"]["content"])
        if hashlib.sha256(content).hexdigest() != record["fields"]["sha256"]:
            raise BackupError(f"备份文件已损坏：附件 {name} 的校验和不符")
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            raise BackupError(f"附件 {name} 无法按原名保存（存为了 {saved}）")


def _reset_sequences(model_list) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list + _through_models(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def same_content(a: dict, b: dict) -> list[str]:
    """Models whose canonical content differs between two backups (empty list: identical)."""
    ma = {m["model"]: m for m in a["manifest"]}
    mb = {m["model"]: m for m in b["manifest"]}
    return sorted(k for k in ma.keys() | mb.keys() if ma.get(k) != mb.get(k))


def created_at(document: dict) -> datetime:
    return datetime.fromisoformat(document["created_at"])
