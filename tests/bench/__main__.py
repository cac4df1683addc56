import importlib
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyi.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    from tests.bench import BENCHES

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    rows = []

    def report(name: str, value: float, unit: str, note: str = "") -> None:
        rows.append((name, value, unit, note))
        print(f"{name:<58} {value:>10.1f} {unit:<6} {note}", flush=True)

    only = sys.argv[1:]
    if "--scale" in only:  # sizes of the bulk bench: python -m tests.bench bulk --scale 0.2
        at = only.index("--scale")
        os.environ["BENCH_SCALE"] = only[at + 1]
        del only[at : at + 2]
    try:
        for name in BENCHES:
            if only and not any(o in name for o in only):
                continue
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            print(f"== {name.rsplit('.', 1)[-1]}", flush=True)
            module.run(report)
    finally:
        runner.teardown_databases(old)
    return 0


if __name__ == "__main__":
    sys.exit(main())
