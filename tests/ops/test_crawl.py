"""The permission crawl on the full demo: every role, every link it can reach, every URL pattern with ids outside
its scope. A member never gets a 200 for another member's record, a secretary never for another branch, a township
reviewer never for another township; nobody ever gets a 500.

Generic, so that URLs added later by any step are covered:
- URL patterns are read from the resolver. For each `<int:…>` the model is derived from the kwarg name
  (`member_id` → Member), or for `pk`/`id` from the URL name or the first path segment (`talk_detail`,
  `talks/<int:pk>/` → Talk). If no model can be derived for an id-like kwarg, every id that is out of scope in
  some model and in scope in none is tried. Int kwargs that are not ids (year, quarter …) are left out and listed.
- A record's scope is computed from its foreign-key path to Branch (xinyi.backup.path_to): the secretary and
  committee see their branch, the reviewer their township's branches, a member only their own record and rows
  that point at it.
- The history page /history/<app>/<model>/<id>/ is tried with every tracked model.
"""

from __future__ import annotations

import html
import os
import re
from collections import deque
from datetime import date
from urllib.parse import urljoin, urlparse

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from branch import access, services
from branch.models import Branch, Member, Township
from xinyi.backup import OUR_APPS, path_to

pytestmark = pytest.mark.django_db
User = get_user_model()
MAX_PAGES = 200
# Exports (PDF, Excel, ZIP) reached by links are checked for scope but not rendered again: each takes seconds, and
# the pattern check below still requests every export URL with out-of-scope ids.
HEAVY = re.compile(r"(pdf|xlsx|zip|export|download|archive)", re.I)
SAMPLE = 3
NON_ID_KWARGS = {"year", "quarter", "month", "page", "order", "step", "number", "n", "index", "position"}
ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
HREF = re.compile(r"""href=["']([^"'#]+)["']""")


# ---------------------------------------------------------------- scope of a role


def all_models():
    found = [User]
    for label in OUR_APPS:
        found += [m for m in apps.get_app_config(label).get_models() if not m._meta.proxy]
    return found


class Scope:
    """Ids of each model that a user may legitimately read."""

    def __init__(self, user):
        self.user = user
        self.role = access.role_of(user)
        self.branch_ids = set(access.branches_visible(user).values_list("pk", flat=True))
        self.own_member = Member.objects.filter(user=user).first()
        self._cache: dict = {}

    def in_scope(self, model) -> set | None:
        """None: all rows (admin, reference rows such as cycles)."""
        if model in self._cache:
            return self._cache[model]
        self._cache[model] = result = self._compute(model)
        return result

    def _compute(self, model):
        if self.role == "admin":
            return None
        qs = model._base_manager.all()
        if model is User:
            ids = {self.user.pk}
            if self.role != "member":
                ids |= set(
                    Member.objects.filter(branch__in=self.branch_ids).values_list("user_id", flat=True)
                )
            return ids - {None}
        if self.role == "member":
            return self._member_rows(model)
        if model is Township:
            return set(Branch.objects.filter(pk__in=self.branch_ids).values_list("township_id", flat=True))
        path = path_to(model, Branch)
        if path is None:
            return None if path_to(model, User) is None else set()
        key = f"{path}_id" if path else "pk"
        return set(qs.filter(**{f"{key}__in": self.branch_ids}).values_list("pk", flat=True))

    def _member_rows(self, model):
        me = self.own_member
        if me is None:
            return set()
        if model is Member:
            return {me.pk}
        if path_to(model, Branch) is None and path_to(model, User) is None and model is not Township:
            return None  # reference rows
        fks = [
            f.attname
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is Member and (f.many_to_one or f.one_to_one)
        ]
        ids = set()
        for attname in fks:
            ids |= set(model._base_manager.filter(**{attname: me.pk}).values_list("pk", flat=True))
        return ids

    def out_of_scope(self, model) -> list[int]:
        inside = self.in_scope(model)
        if inside is None:
            return []
        ids = sorted(set(model._base_manager.values_list("pk", flat=True)) - inside)
        # a spread: first, middle, last
        if len(ids) > SAMPLE:
            ids = [ids[0], ids[len(ids) // 2], ids[-1]]
        return ids

    def foreign_ids(self) -> list[int]:
        """Ids out of scope in some model and in scope in none: safe to try where the model is unknown."""
        inside, outside = set(), set()
        for model in all_models():
            mine = self.in_scope(model)
            if mine is None:
                inside |= set(model._base_manager.values_list("pk", flat=True))
                continue
            inside |= mine
            outside |= set(model._base_manager.values_list("pk", flat=True)) - mine
        ids = sorted(outside - inside)
        return ids[:: max(1, len(ids) // 6)][:6]


# ---------------------------------------------------------------- URL patterns


def iter_routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from iter_routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def model_named(text: str):
    wanted = text.replace("_", "").lower()
    for model in all_models():
        if model._meta.model_name == wanted:
            return model
    return None


def derive_model(kwarg: str, route: str, name: str | None):
    """`member_id` → Member; for `pk`/`id`: the path segment before it (`talks/<int:pk>/` → Talk), else the URL name."""
    base = re.sub(r"_(id|pk)$", "", kwarg)
    if base not in ("pk", "id"):
        return model_named(base)
    before = route.split(f"<int:{kwarg}>")[0].rstrip("/").split("/")[-1] if f"<int:{kwarg}>" in route else ""
    for candidate in (before, before[:-1], before[:-2], before.replace("-", "_")):
        model = model_named(candidate) if candidate else None
        if model is not None:
            return model
    tokens = (name or "").split("_")
    for n in range(len(tokens), 0, -1):
        for start in range(0, len(tokens) - n + 1):
            model = model_named("".join(tokens[start : start + n]))
            if model is not None:
                return model
    return None


def fill(route: str, values: dict) -> str:
    return "/" + ROUTE_PARAM.sub(lambda m: str(values[m.group("name")]), route)


# ---------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The full demo, seeded once for the module; each test rolls back its own changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=open(os.devnull, "w"))
        yield
        transaction.set_rollback(True)


def demo_users() -> dict:
    return {u.username: u for u in User.objects.all()}


def move_main_branch_to_another_township():
    """For the reviewer: 新义村, which has a record of every kind, becomes another township's branch."""
    other = services.township_create(name="外镇党委（测试）")
    Branch.objects.filter(name="新义村党支部").update(township=other)


def move_main_branch_out_of(level: str):
    """For the banner and the city: 新义村 moves to a township of another banner (another city's, for the city)."""
    banner = services.banner_named("外旗（测试）", city="外市（测试）" if level == "city" else "通辽市")
    other = services.township_create(name="外旗镇党委（测试）", banner=banner)
    Branch.objects.filter(name="新义村党支部").update(township=other)


def private_strings(scope: Scope) -> list[str]:
    """Other members' phones and birth dates, as pages would print them."""
    out = []
    for m in Member.objects.exclude(pk=scope.own_member.pk if scope.own_member else None):
        d: date = m.birth_date
        if m.phone:
            out.append(m.phone)
        out += [d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"{d.year}-{d.month}-{d.day}"]
    return out


class Crawl:
    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)
        self.scope = Scope(user)
        self.problems: list[str] = []
        self.skipped: list[str] = []
        self.visited: set[str] = set()
        self.private = private_strings(self.scope) if self.scope.role == "member" else []

    def get(self, url):
        response = self.client.get(url)
        if response.status_code >= 500:
            self.problems.append(f"{url} → {response.status_code}")
        if response.status_code == 200 and self.private and "html" in response.get("Content-Type", ""):
            body = response.content.decode(errors="ignore")
            leaked = [s for s in self.private if s in body]
            if leaked:
                self.problems.append(f"{url} shows another member's phone/birth date: {leaked[:3]}")
        return response

    def expect_refused(self, url, why):
        response = self.get(url)
        if response.status_code == 200:
            self.problems.append(f"{url} → 200 ({why})")

    # -- links

    def follow_links(self):
        queue = deque(["/"])
        while queue and len(self.visited) < MAX_PAGES:
            url = queue.popleft()
            if url in self.visited:
                continue
            self.visited.add(url)
            self.check_link_in_scope(url)
            if HEAVY.search(url):
                continue
            response = self.get(url)
            if response.status_code in (301, 302):
                queue.append(urljoin(url, response["Location"]))
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for href in HREF.findall(response.content.decode(errors="ignore")):
                target = urljoin(url, html.unescape(href))
                parsed = urlparse(target)
                if parsed.netloc not in ("", "testserver") or parsed.scheme not in ("", "http"):
                    continue
                # admin sort/filter variants of the same page are not new pages
                keep_query = parsed.query and not parsed.path.startswith("/admin/")
                path = parsed.path + (f"?{parsed.query}" if keep_query else "")
                if path.startswith(("/static/", "/media/")) or "logout" in path:
                    continue
                if path not in self.visited:
                    queue.append(path)

    def check_link_in_scope(self, url):
        try:
            match = resolve(urlparse(url).path)
        except Resolver404:
            return
        route = match.route or ""
        for kwarg, value in match.kwargs.items():
            if not isinstance(value, int) or kwarg in NON_ID_KWARGS:
                continue
            model = derive_model(kwarg, route, match.url_name)
            inside = self.scope.in_scope(model) if model else None
            if inside is not None and value not in inside:
                self.problems.append(f"link {url}: {model.__name__} {value} is outside the scope")

    # -- patterns

    def try_patterns(self):
        for route, pattern in iter_routes():
            if route.startswith("admin/"):
                continue
            if not hasattr(pattern.pattern, "_route"):
                self.skipped.append(f"{route} (regex)")
                continue
            params = [(m.group("conv") or "str", m.group("name")) for m in ROUTE_PARAM.finditer(route)]
            if not params:
                self.get(fill(route, {}))
                continue
            names = {n for _, n in params}
            if names == {"app_label", "model_name", "pk"}:
                self.try_history(route)
                continue
            if any(conv != "int" for conv, _ in params):
                self.skipped.append(f"{route} (non-int parameter)")
                continue
            if names & NON_ID_KWARGS:
                self.skipped.append(f"{route} (non-id parameter)")
                continue
            self.try_ids(route, pattern.name, [n for _, n in params])

    def try_ids(self, route, name, kwargs):
        models = {k: derive_model(k, route, name) for k in kwargs}
        inside_value = {}
        for k, model in models.items():
            mine = self.scope.in_scope(model) if model else set()
            inside_value[k] = min(mine) if mine else None
        for k in kwargs:
            model = models[k]
            candidates = self.scope.out_of_scope(model) if model else self.scope.foreign_ids()
            for value in candidates:
                values = {o: (inside_value[o] or value) for o in kwargs if o != k} | {k: value}
                what = f"{model.__name__ if model else 'id'} {value} outside {self.scope.role}'s scope"
                self.expect_refused(fill(route, values), what)

    def try_history(self, route):
        for model in all_models():
            if not getattr(model._meta, "simple_history_manager_attribute", None):
                continue
            for value in self.scope.out_of_scope(model):
                url = fill(
                    route,
                    {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "pk": value},
                )
                self.expect_refused(url, f"history of {model.__name__} {value}")

    def try_admin(self):
        for model in admin.site._registry:
            if model._meta.app_label not in OUR_APPS:
                continue
            for value in self.scope.out_of_scope(model):
                base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{value}"
                self.expect_refused(f"{base}/change/", f"admin {model.__name__} {value}")
                self.expect_refused(f"{base}/history/", f"admin history {model.__name__} {value}")

    def run(self):
        self.follow_links()
        self.try_patterns()
        if self.scope.role != "admin":
            self.try_admin()
        return self


ROLES = ["secretary", "committee", "member", "secretary2", "township", "banner", "city", "admin"]


@pytest.mark.parametrize("username", ROLES)
def test_role_reaches_nothing_outside_its_scope(demo, username):
    """Follow every link from the home page and try every URL pattern with out-of-scope ids: no 200, no 500."""
    users = demo_users()
    if username == "township":
        move_main_branch_to_another_township()
    if username in ("banner", "city"):
        move_main_branch_out_of(username)
    crawl = Crawl(users[username]).run()
    assert len(crawl.visited) > 1
    assert crawl.problems == [], "\n".join(crawl.problems)


def test_the_crawl_would_see_a_leak(demo):
    """The crawl is not blind: out-of-scope ids are the other branches', and a 200 on one is reported."""
    users = demo_users()
    crawl = Crawl(users["secretary"])
    outside = crawl.scope.out_of_scope(Member)
    assert outside and set(outside) <= set(
        Member.objects.exclude(branch__name="新义村党支部").values_list("pk", flat=True)
    )
    assert crawl.scope.in_scope(Member) == set(
        Member.objects.filter(branch__name="新义村党支部").values_list("pk", flat=True)
    )
    crawl.client.force_login(users["admin"])  # as if the secretary's view let everything through
    crawl.expect_refused(f"/2018/members/{outside[0]}/", "planted")
    assert crawl.problems == [f"/2018/members/{outside[0]}/ → 200 (planted)"]


def test_model_is_derived_from_kwarg_name_url_name_or_path():
    from meetings.models import Talk

    assert derive_model("member_id", "x/<int:member_id>/", None) is Member
    assert derive_model("pk", "members/<int:pk>/", "member_detail") is Member
    assert derive_model("pk", "talks/<int:pk>/edit/", "talk_edit") is Talk
    assert derive_model("pk", "talks/<int:pk>/to-problem/", "problem_from_talk") is Talk
    assert derive_model("pk", "branches/<int:pk>/", None) is Branch
    assert derive_model("user_id", "accounts/manage/<int:user_id>/unlock/", "account_unlock") is User
