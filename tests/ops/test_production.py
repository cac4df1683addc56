"""Production: env-only settings pass `check --deploy`, Chinese error pages, upload limit, logs on stdout."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#Qm2!vL9@pR4$tW8^zK1&nB6*cF3(hJ5)dG0_sA-yU+eI=oP~" + "Nq",
    "DJANGO_ALLOWED_HOSTS": "xinyi.example.cn",
    "DATABASE_URL": "sqlite:////tmp/xinyi-check-deploy.sqlite3",
}


def _manage(*args, env_extra: dict, **kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, **kw
    )


def test_check_deploy_is_clean_with_production_environment():
    """DEBUG off, secure cookies, HSTS, SSL redirect, allowed hosts: `manage.py check --deploy` says nothing."""
    assert len(PROD_ENV["DJANGO_SECRET_KEY"]) >= 50
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_flags_a_development_setup():
    """The same check fails on the laptop defaults, so the clean result above means something."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra={})
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_variables(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _manage("check", env_extra=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_logs_go_to_stdout():
    result = _manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('django.request').error('日志测试 xinyi')",
        env_extra={},
    )
    assert "日志测试 xinyi" in result.stdout


@pytest.mark.django_db
def test_404_page_is_chinese_with_debug_off(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_get_on_a_post_only_address_is_a_chinese_405_page(world, client_for):
    """Issue 13 fault 12: a button's address opened from the address bar explains itself; the POST still works."""
    secretary = client_for(world.users["secretary"])
    target = world.users["member"]
    response = secretary.get(f"/accounts/manage/{target.pk}/unlock/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    body = response.content.decode()
    assert "不能直接打开这个地址" in body and "点击相应的按钮" in body
    assert secretary.post(f"/accounts/manage/{target.pk}/unlock/").status_code == 302
    response = secretary.get("/2018/appraisal/tally/ballot/undo/")  # under a year, too
    assert response.status_code == 405 and "不能直接打开这个地址" in response.content.decode()


@pytest.mark.django_db
def test_403_page_is_chinese_with_debug_off(world, client_for, settings):
    """A member opening the roster is refused with the reason, in Chinese."""
    settings.DEBUG = False
    response = client_for(world.users["member"]).get("/2018/members/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    allowed = client_for(world.users["secretary"]).get("/2018/members/")
    assert allowed.status_code == 200


@pytest.mark.django_db
def test_500_page_is_chinese_with_debug_off(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.ops.urls_boom"
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_page_is_chinese(world, settings):
    """All forms use CSRF: a post without the token is refused with a Chinese page."""
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.mark.django_db
def test_too_large_upload_gets_a_chinese_page_not_a_500(world, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 2048
    client = client_for(world.users["secretary"])
    big = SimpleUploadedFile("名册.xlsx", b"x" * 4096)
    response = client.post("/2018/members/", {"file": big})
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
    small = client.post("/2018/members/", {"file": SimpleUploadedFile("名册.xlsx", b"x" * 100)})
    assert small.status_code != 413


@pytest.mark.django_db
def test_too_many_form_fields_bytes_get_the_same_page(world, client_for, settings):
    """Form data over DATA_UPLOAD_MAX_MEMORY_SIZE (no file) is refused the same way when a view reads it."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = client_for(world.users["secretary"])
    response = client.post("/accounts/login/", {"username": "u", "password": "p" * 5000})
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
