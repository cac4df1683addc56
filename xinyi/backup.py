"""Backup and restore of one deployment (or one branch) as one versioned JSON file.

What a backup holds, for every model of our four apps (found at run time, so models added later are covered):
- every row, including the simple-history tables (their models live in the same apps);
- the logins (auth.User with password hashes, auth.Group) and, through the apps, each login's Scope;
- the uploaded files the rows point at (FileField/ImageField: rectification photos, archive ZIPs), base64 under
  "media.files", each with its sha256.
What it leaves out, on purpose: contenttypes and permissions (migrations recreate them; a user's permissions and
groups are written as natural keys, so ids of content types never matter), sessions, admin log entries,
django-axes attempt/lockout logs and the task queue. Those are runtime state, not records.

File layout (format "xinyi-backup", version 1):
    {"format", "version", "created_at", "scope": {"kind": "all"|"branch", "branch": name},
     "manifest": [{"model": "app.model", "count": n, "sha256": hex}, ...],
     "data": {"app.model": [{"pk": ..., "fields": {...}}, ...]}}
The sha256 of a model is taken over its canonical records (sorted by pk, JSON with sorted keys), so two backups
of the same content have the same manifest whatever the engine, the row order or the time they were taken.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import deque
from dataclasses import dataclass
from datetime import datetime

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


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes keep their microseconds (Django's cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _canonical(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: json.dumps(r["pk"], cls=_Encoder))


def _dump(records) -> str:
    return json.dumps(records, cls=_Encoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _serialize(model, queryset) -> list[dict]:
    rows = serializers.serialize(
        "python", queryset.order_by("pk"), use_natural_foreign_keys=True, use_natural_primary_keys=False
    )
    # A round trip through JSON makes dates, times and decimals the same strings whatever the engine returned.
    records = json.loads(_dump([{"pk": r["pk"], "fields": r["fields"]} for r in rows]))
    return _canonical(records)


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


def _file_names(data: dict[str, list[dict]]) -> set[str]:
    """Names of the stored files that the kept rows point at (FileField / ImageField values)."""
    by_label = {label_of(m): m for m in backup_models()}
    names = set()
    for label, records in data.items():
        model = by_label.get(label)
        if model is None:
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for record in records:
            names.update(record["fields"][f] for f in fields if record["fields"].get(f))
    return names


def _files(names: set[str]) -> list[dict]:
    records = []
    for name in sorted(names):
        if not default_storage.exists(name):
            continue  # a row pointing at a lost file: the row is kept, the file cannot be
        with default_storage.open(name, "rb") as fh:
            content = fh.read()
        records.append(
            {
                "pk": name,
                "fields": {
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "content": base64.b64encode(content).decode(),
                },
            }
        )
    return records


def collect(*, branch=None) -> dict[str, list[dict]]:
    """Canonical records of the deployment (or of one branch), model label -> records sorted by pk."""
    data = _collect_rows(branch=branch)
    data[FILES] = _files(_file_names(data))
    return data


def _collect_rows(*, branch=None) -> dict[str, list[dict]]:
    User = get_user_model()
    if branch is None:
        return {label_of(m): _serialize(m, m._base_manager.all()) for m in backup_models()}
    data = {}
    user_ids: set[int] = set()
    for model, qs in _branch_querysets(branch).items():
        data[label_of(model)] = _serialize(model, qs)
        user_fks = [f.attname for f in _fk_fields(model) if f.related_model is User]
        for f in user_fks:
            user_ids.update(v for v in qs.values_list(f, flat=True) if v is not None)
    users = User._base_manager.filter(pk__in=user_ids)
    group_ids = set(users.values_list("groups", flat=True)) - {None}
    Group = apps.get_model("auth", "Group")
    head = {
        label_of(Group): _serialize(Group, Group.objects.filter(pk__in=group_ids)),
        label_of(User): _serialize(User, users),
    }
    return head | data


def manifest_of(data: dict[str, list[dict]]) -> list[dict]:
    return [
        {"model": label, "count": len(records), "sha256": hashlib.sha256(_dump(records).encode()).hexdigest()}
        for label, records in data.items()
    ]


def build(*, branch=None) -> dict:
    data = collect(branch=branch)
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "scope": {"kind": "branch", "branch": branch.name} if branch else {"kind": "all"},
        "manifest": manifest_of(data),
        "data": data,
    }


def write(path, *, branch=None) -> dict:
    with transaction.atomic():  # one consistent snapshot (repeatable on PostgreSQL for the reads below)
        document = build(branch=branch)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(document, fh, ensure_ascii=False, cls=_Encoder, indent=0)
    return document


# ---------------------------------------------------------------- reading


def read(path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            document = json.load(fh)
    except (OSError, ValueError) as exc:
        raise BackupError(f"无法读取备份文件：{exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("这不是本系统的备份文件")
    if document.get("version") != VERSION:
        raise BackupError(f"备份文件版本 {document.get('version')} 不受支持（本程序读取版本 {VERSION}）")
    data = document.get("data") or {}
    expected = {m["model"]: m for m in document.get("manifest", [])}
    actual = {m["model"]: m for m in manifest_of(data)}
    if expected != actual:
        broken = sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
        raise BackupError(f"备份文件已损坏：以下数据的校验和或条数不符：{', '.join(broken)}")
    known = {label_of(m) for m in backup_models()} | {FILES}
    unknown = sorted(set(data) - known)
    if unknown:
        raise BackupError(f"备份中有本程序不认识的数据：{', '.join(unknown)}（请用相同版本的程序恢复）")
    return document


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
    for model in _through_models(targets) + extra + list(reversed(targets)):
        model._base_manager.all()._raw_delete(using=connection.alias)


def _clear_reference_rows() -> None:
    refs = [m for m in app_models() if is_reference_model(m)]
    for model in _through_models(refs) + list(reversed(refs)):
        model._base_manager.all()._raw_delete(using=connection.alias)


def restore(document: dict, *, replace: bool = False) -> dict[str, int]:
    """Load a backup into this database, all or nothing.

    Empty database (no login, no row outside the migration-made reference rows): the reference rows are
    replaced by the backup's. Otherwise refused, unless replace=True: then every row of the deployment is
    deleted first (the whole deployment, also for a one-branch backup).
    """
    models_by_label = {label_of(m): m for m in backup_models()}
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
        counts = {}
        for label, records in document["data"].items():
            if label == FILES:
                _restore_files(records)
                counts[label] = len(records)
                continue
            rows = [{"model": label, "pk": r["pk"], "fields": r["fields"]} for r in records]
            for obj in serializers.deserialize("python", rows):
                obj.save()
            counts[label] = len(records)
        _reset_sequences(list(models_by_label.values()))
    return counts


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
