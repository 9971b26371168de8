"""`pip install .` (not editable) yields a working app: templates, static files, migrations."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(out)],
        check=True,
    )
    return next(out.glob("conference-*.whl"))


def test_wheel_contains_templates_static_migrations_and_schemas(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "conference/templates/base.html" in names
    assert "conference/static/vendor/pico/pico.min.css" in names
    assert "conference/static/vendor/pico/LICENSE.md" in names
    assert any(n.startswith("conference/migrations/versions/") and n.endswith(".py") for n in names)
    assert "conference/migrations/env.py" in names
    assert "scheduler/__init__.py" in names


def test_installed_wheel_serves_pages_outside_the_repository(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True)
    script = (
        "import conference, sys\n"
        "assert conference.__file__.startswith(sys.argv[1]), conference.__file__\n"
        "from flask_migrate import upgrade\n"
        "app = conference.create_app({'SECRET_KEY': 'k', 'SQLALCHEMY_DATABASE_URI': 'sqlite:///' + sys.argv[2]})\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "client = app.test_client()\n"
        "page = client.get('/login')\n"
        "assert page.status_code == 200 and b'Log in' in page.data, page.status_code\n"
        "css = client.get('/static/vendor/pico/pico.min.css')\n"
        "assert css.status_code == 200 and len(css.data) > 10000\n"
        "css.close()\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(target), str(tmp_path / "app.db")],
        cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
