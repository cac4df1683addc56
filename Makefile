# Two commands set everything up: `make run` and `make test`. The rest are for developers.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench bench-load lint deps system-deps migrate demo worker serve-prod clean

LOCK := requirements.lock

.PHONY: lock audit

# The exact versions and hashes of requirements.lock; pyproject.toml keeps the bounds (`make lock` after changing them).
$(STAMP): pyproject.toml $(LOCK)
	@bash scripts/system-deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  (echo "无法创建虚拟环境：请安装 python3-venv（sudo apt-get install python3-venv）"; exit 1)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

deps: $(STAMP)

# Re-resolve the lock from pyproject.toml's bounds (newest versions that fit), with every file's hash.
lock:
	@test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes -o $(LOCK)

audit: deps
	@bash scripts/audit.sh

migrate: deps
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Serves the demo at http://127.0.0.1:8000 with the background-task worker (archive ZIPs) beside it.
run: demo
	@echo "打开 http://$(HOST):$(PORT)/ （Ctrl-C 停止）"
	@$(PY) manage.py db_worker --interval 1 >/dev/null 2>&1 & WORKER=$$!; \
	  trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: deps
	$(PY) -m pytest $(PYTEST_ARGS)

bench: deps
	$(PY) -m tests.bench
	@$(MAKE) --no-print-directory bench-load

# Issue 16: gunicorn (DEBUG off, WORKERS as serve-prod) on a throw-away PostgreSQL, 4 secretaries for 60 s;
# prints requests/s, p50/p95/max and errors. `make bench-load LOAD_SECONDS=20` for a shorter run.
LOAD_SECONDS ?= 60
bench-load: deps
	$(PY) scripts/bench_load.py --seconds $(LOAD_SECONDS) --workers $(WORKERS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@bash scripts/audit.sh

worker: deps
	$(PY) manage.py db_worker

# Production: PostgreSQL through DATABASE_URL, gunicorn, whitenoise, the task worker beside it. See README 生产部署.
WORKERS ?= 3
GUNICORN_TIMEOUT ?= 60# s: the archive PDF renders in the background worker; the slowest pages left (sign-in sheets and minutes PDFs of a 500-member branch) take seconds
serve-prod: deps
	@test -n "$$DATABASE_URL" || (echo "请设置 DATABASE_URL（PostgreSQL，例如 postgres://用户:密码@127.0.0.1:5432/xinyi）"; exit 1)
	@test -n "$$DJANGO_SECRET_KEY" || (echo "请设置 DJANGO_SECRET_KEY（50 位以上的随机字符串）"; exit 1)
	@test -n "$$DJANGO_ALLOWED_HOSTS" || (echo "请设置 DJANGO_ALLOWED_HOSTS（逗号分隔的域名）"; exit 1)
	DJANGO_DEBUG=0 $(PY) manage.py check --deploy --fail-level WARNING
	DJANGO_DEBUG=0 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput -v0
	@DJANGO_DEBUG=0 $(PY) manage.py db_worker & WORKER=$$!; \
	  trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  DJANGO_DEBUG=0 $(VENV)/bin/gunicorn xinyi.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --timeout $(GUNICORN_TIMEOUT) \
	    --access-logfile - --error-logfile -

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
