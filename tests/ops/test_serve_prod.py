"""`make serve-prod` gives gunicorn a timeout that fits the slowest request left (issue 15 item 6)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_serve_prod_sets_gunicorn_timeout_and_workers():
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://x@127.0.0.1/x",
        "DJANGO_SECRET_KEY": "k",
        "DJANGO_ALLOWED_HOSTS": "h",
    }
    plan = subprocess.run(
        ["make", "-n", "serve-prod", "STAMP=Makefile"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in plan.splitlines() if "gunicorn xinyi.wsgi" in line)
    assert re.search(r"--workers 3\b", line)
    # The archive no longer renders in a request (background worker); 60 s covers the large sign-in sheets left,
    # where gunicorn's default 30 s once killed the archive of a 200-member branch.
    assert re.search(r"--timeout 60\b", line)
