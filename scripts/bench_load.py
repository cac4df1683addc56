"""Load test (issue 16): gunicorn with the production settings on PostgreSQL, concurrent secretaries, printed numbers.

    .venv/bin/python scripts/bench_load.py [--seconds 60] [--clients 4] [--workers 3]

Stand-alone (not through the Django test runner). The database is always a throw-away one:
- DATABASE_URL points at PostgreSQL: a database `test_<name>_load` is created on that server and dropped afterwards
  (like the test runner's `test_<name>`; the role needs CREATEDB), so the demo is never seeded into a real database;
- otherwise a PostgreSQL cluster of Debian's binaries (/usr/lib/postgresql/*/bin) is started under a temp dir on a free
  port (as the `postgres` user when run as root) and removed afterwards; without those binaries the script says so and
  exits 0 with no number.
Then migrate + seed_demo, collectstatic, and gunicorn with DJANGO_DEBUG=0 (as `make serve-prod`) on a free loopback
port. Each client logs in once as the demo `secretary` (django-axes stays on, as in production) and cycles over the
secretary's pages of both years for the given seconds. Requests carry `X-Forwarded-Proto: https`, as nginx sends it
(README 生产部署), so the SSL redirect and secure cookies behave as in production. Numbers are printed, never asserted;
the exit code is 0 unless the set-up fails or a page does not answer 200 before the run.
"""

import argparse
import glob
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
USERNAME, PASSWORD = "secretary", "xinyi2019demo"
PAGES = [
    "/2019/dashboard/",
    "/2018/dashboard/",
    "/2019/members/",
    "/2019/study/",
    "/2019/talks/coverage/",
    "/2018/meeting/",
    "/2018/appraisal/grades/",
    "/2018/rectification/",
]
GOAL_P95_MS = 500.0


def say(text: str) -> None:
    print(text, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, *, seconds: float, proc: subprocess.Popen | None = None) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Database:
    """A throw-away PostgreSQL database: `url` while inside `with`; everything removed on the way out."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.url = ""
        self._drop = None
        self._cluster = None

    def __enter__(self):
        given = os.environ.get("DATABASE_URL", "")
        try:
            if given.startswith(("postgres://", "postgresql://", "pgsql://")):
                self._on_server(given)
            else:
                self._own_cluster()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self._drop:
            try:
                self._drop()
            except Exception as e:  # noqa: BLE001 — cleaning up must not hide the run's own error
                say(f"删除测试数据库失败：{e}")
        if self._cluster:
            self._cluster()

    def _on_server(self, given: str) -> None:
        import psycopg
        from psycopg import sql

        parts = urlsplit(given)
        name = f"test_{parts.path.lstrip('/') or 'postgres'}_load"
        admin = urlunsplit(parts._replace(path="/postgres"))

        def run(statement):
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(statement)

        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._drop = lambda: run(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        self.url = urlunsplit(parts._replace(path="/" + name))
        say(f"数据库：DATABASE_URL 所在服务器上的临时数据库 {name}（结束后删除）")

    def _own_cluster(self) -> None:
        bins = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"),
            key=lambda p: int(re.sub(r"\D", "", Path(p).parent.name) or 0),
        )
        bins = [b for b in bins if os.access(f"{b}/initdb", os.X_OK) and os.access(f"{b}/pg_ctl", os.X_OK)]
        if not bins:
            raise NoPostgres
        bin_dir = bins[-1]
        as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.tmp, "postgres")
        data, sock = self.tmp / "pgdata", self.tmp / "pgsock"
        sock.mkdir()
        if as_user:
            shutil.chown(sock, "postgres")
        port = free_port()
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
        subprocess.run(
            [*as_user, f"{bin_dir}/initdb", "-D", str(data), "-U", "xinyi", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8"],
            check=True, **quiet,
        )  # fmt: skip
        log = self.tmp / "postgres.log"
        if as_user:
            log.touch()
            shutil.chown(log, "postgres")
        options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [*as_user, f"{bin_dir}/pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
            check=True, **quiet,
        )  # fmt: skip

        def stop():
            subprocess.run(
                [*as_user, f"{bin_dir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"],
                check=False,
                **quiet,
            )

        self._cluster = stop
        subprocess.run(
            [f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "xinyi", "xinyi"], check=True
        )
        self.url = f"postgres://xinyi@127.0.0.1:{port}/xinyi"
        say(f"数据库：临时 PostgreSQL {Path(bin_dir).parent.name}（{bin_dir}），端口 {port}（结束后删除）")


class NoPostgres(Exception):
    pass


class Client:
    """One browser: its own cookies, one keep-alive connection (gunicorn's sync workers close it; http.client reopens)."""

    def __init__(self, port: int):
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=130)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        head = {"Host": self.host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head.update(headers or {})
        try:
            self.conn.request(method, path, body=body, headers=head)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.headers, data

    def login(self) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"登录页没有回答 200 或没有 CSRF 令牌（{status}）")
        body = urlencode(
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()}
        )
        status, headers, _ = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{self.host}",
                "Referer": f"https://{self.host}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"以 {USERNAME} 登录失败（{status}）")


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest rank."""
    if not sorted_ms:
        return float("nan")
    rank = max(1, -(-len(sorted_ms) * p // 100))
    return sorted_ms[int(rank) - 1]


def load(port: int, *, clients: int, seconds: float):
    ready = []
    for _ in range(clients):
        c = Client(port)
        c.login()
        ready.append(c)

    # Every page answers 200 before the run (and each worker has rendered a few: a warm-up, not counted).
    bad = []
    for path in PAGES:
        status, headers, _ = ready[0].request("GET", path)
        if status != 200:
            bad.append(f"{path} → {status} {headers.get('Location', '')}".rstrip())
    if bad:
        raise RuntimeError("这些页面没有回答 200：\n  " + "\n  ".join(bad))
    for c in ready[1:]:
        for path in PAGES[:3]:
            c.request("GET", path)

    samples: list[tuple[str, float, object]] = []  # (path, ms, status or exception name)
    lock = threading.Lock()
    start = time.monotonic()
    end = start + seconds

    def run(i: int, c: Client):
        mine, n = [], i * len(PAGES) // clients
        while time.monotonic() < end:
            path = PAGES[n % len(PAGES)]
            n += 1
            t0 = time.perf_counter()
            try:
                status = c.request("GET", path)[0]
            except Exception as e:  # noqa: BLE001 — an exception is an error of the run, counted
                status = type(e).__name__
            mine.append((path, (time.perf_counter() - t0) * 1000, status))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(ready)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, time.monotonic() - start


def report(samples, elapsed: float, *, clients: int, workers: int) -> None:
    ms = sorted(s[1] for s in samples)
    errors = Counter(f"{p} → {st}" for p, _, st in samples if st != 200)
    n_err = sum(errors.values())
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    say(f"\n== load: {clients} clients × {elapsed:.0f} s, gunicorn --workers {workers}, {len(PAGES)} pages")
    say(f"requests          {len(ms):>8}")
    say(f"requests/s        {len(ms) / elapsed:>8.1f}")
    say(f"p50               {p50:>8.0f} ms")
    say(f"p95               {p95:>8.0f} ms")
    say(f"max               {ms[-1] if ms else float('nan'):>8.0f} ms")
    say(f"mean              {statistics.fmean(ms) if ms else float('nan'):>8.0f} ms")
    say(f"errors            {n_err:>8}")
    for what, count in errors.most_common(10):
        say(f"  {count:>6} × {what}")
    say("\nper page (p50 / p95 ms):")
    for path in PAGES:
        times = sorted(s[1] for s in samples if s[0] == path)
        if times:
            say(f"  {path:<36} {percentile(times, 50):>6.0f} {percentile(times, 95):>6.0f}   n={len(times)}")
    met = n_err == 0 and p95 < GOAL_P95_MS
    say(
        f"\n目标 goal: 0 errors, p95 < {GOAL_P95_MS:.0f} ms — "
        + ("达到 met" if met else f"未达到 NOT met（errors {n_err}, p95 {p95:.0f} ms）")
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "3")))
    args = ap.parse_args()
    # make's Ctrl-C / a kill: leave through the finally blocks, so the cluster and gunicorn are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = Path(tempfile.mkdtemp(prefix="xinyi-load-"))
    gunicorn = None
    try:
        try:
            db = Database(tmp).__enter__()
        except NoPostgres:
            say("未找到 PostgreSQL（/usr/lib/postgresql/*/bin/initdb、pg_ctl）：跳过负载测试。")
            say("安装：sudo apt-get install postgresql，或设置 DATABASE_URL 指向一个 PostgreSQL 服务器。")
            return 0
        except Exception as e:  # noqa: BLE001
            say(f"无法准备 PostgreSQL 数据库：{e}")
            return 1
        try:
            env = {
                **os.environ,
                "DATABASE_URL": db.url,
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_MEDIA_ROOT": str(tmp / "media"),
                "DJANGO_LOG_LEVEL": "WARNING",
            }
            env.pop("AXES_ENABLED", None)  # as in production

            def manage(*argv):
                subprocess.run(
                    [PY, "manage.py", *argv], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
                )

            t0 = time.monotonic()
            manage("migrate", "--noinput")
            manage("seed_demo")
            manage("collectstatic", "--noinput", "-v0")  # STATIC_ROOT (staticfiles/), as make serve-prod
            say(f"migrate + seed_demo + collectstatic: {time.monotonic() - t0:.0f} s")

            port = free_port()
            log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 — closed with the tmp dir
            gunicorn = subprocess.Popen(
                [PY, "-m", "gunicorn", "xinyi.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                 "--timeout", os.environ.get("GUNICORN_TIMEOUT", "120")],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            if not wait_port(port, seconds=60, proc=gunicorn):
                raise RuntimeError(
                    "gunicorn 没有启动：\n" + (tmp / "gunicorn.log").read_text(errors="replace")[-3000:]
                )
            say(
                f"gunicorn: 127.0.0.1:{port}, {args.workers} workers, DJANGO_DEBUG=0; load for {args.seconds:.0f} s …"
            )

            samples, elapsed = load(port, clients=args.clients, seconds=args.seconds)
            report(samples, elapsed, clients=args.clients, workers=args.workers)
            return 0
        except (RuntimeError, subprocess.CalledProcessError) as e:
            say(f"负载测试失败：{e}")
            if gunicorn is not None and (tmp / "gunicorn.log").exists():
                tail = (tmp / "gunicorn.log").read_text(errors="replace")[-2000:]
                if tail.strip():
                    say("gunicorn 日志（末尾）：\n" + tail)
            return 1
        finally:
            if gunicorn is not None:
                gunicorn.terminate()
                try:
                    gunicorn.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    gunicorn.kill()
            db.__exit__(None, None, None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
