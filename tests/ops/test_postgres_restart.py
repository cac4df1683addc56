"""The app survives PostgreSQL restarting under it (CONN_HEALTH_CHECKS). Collected only on a PostgreSQL test DB.

gunicorn (one sync worker, so one kept connection, CONN_MAX_AGE as in production) serves a logged-in page;
the cluster restarts between requests and during a burst of them; every request after the restart must answer
200. Without health checks the first request on the dead connection was a 500. The restart command comes from
XINYI_PG_RESTART (.ci/run sets it to its pg_ctlcluster restart).
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    pytest.skip("只在 PostgreSQL 上运行", allow_module_level=True)

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from tests import factories  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RESTART = os.environ.get("XINYI_PG_RESTART")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not RESTART, reason="设置 XINYI_PG_RESTART（重启 PostgreSQL 的命令）后运行"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _get(url, cookie) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def gunicorn(live_server_settings_env):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "xinyi.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=live_server_settings_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def live_server_settings_env():
    """The subprocess reads the test database (committed rows: transactional test), with a kept connection."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["DJANGO_CONN_MAX_AGE"] = "600"
    env["AXES_ENABLED"] = "0"
    return env


def _restart():
    # No pipes: the restarted server would inherit them and keep run() waiting for ever.
    subprocess.run(
        RESTART, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120
    )  # noqa: S602
    connection.close()  # the test's own connection died with the server


def test_requests_survive_a_postgresql_restart(gunicorn):
    w = factories.world(members=2)
    cookie = _session_cookie(w.users["member"])
    url = gunicorn + "/me/"
    assert _get(url, cookie) == 200
    assert _get(url, cookie) == 200  # the worker now holds a kept connection

    _restart()
    assert [_get(url, cookie) for _ in range(3)] == [200, 200, 200]

    # A restart during a burst of requests: those that meet the server down may fail, none after it is back.
    statuses, stop = [], threading.Event()

    def burst():
        while not stop.is_set():
            statuses.append(_get(url, cookie))

    thread = threading.Thread(target=burst)
    thread.start()
    time.sleep(0.5)
    _restart()
    time.sleep(1)
    stop.set()
    thread.join(timeout=60)
    assert statuses and statuses[-1] == 200
    assert [_get(url, cookie) for _ in range(3)] == [200, 200, 200]
