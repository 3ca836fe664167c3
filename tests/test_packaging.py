"""The built package, as a user gets it: the wheel installs only ``clientkit`` and
``clientkit_services`` and works in a fresh venv beside a project with its own ``resources``
package; the sdist's own tests run; an editable install is found by mypy from another folder.

One copy of the checkout is built once (``python -m build --no-isolation``, so nothing is
downloaded); the fresh venvs borrow this environment's packages for the dependencies, after
their own site-packages, so clientkit itself comes only from what was installed there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from clientkit._version import __version__
from tests.support.processes import ROOT, free_port

pytest.importorskip("build", reason="the packaging tests need the dev extra's `build`")

SKIP = shutil.ignore_patterns(
    ".git", ".venv*", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.sqlite"
)
SHOP = """
from clientkit import Resource, Service, field

class Shop(Service):
    base_url = "https://shop.example.com"

@Shop.resource(one="/books/{id}", many="/books")
class Book(Resource):
    id: int | None = field(read_only=True)
    title: str | None = None
"""


def _copy(tmp: Path) -> Path:
    source = tmp / "clientkit"
    shutil.copytree(ROOT, source, ignore=SKIP, symlinks=True)
    return source


def _run(*argv: str | Path, cwd: Path, ok: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    """Run with a clean environment (no PYTHONPATH unless given); ``ok``: it must succeed."""
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "COLUMNS": "200", **env}
    argv_ = [str(a) for a in argv]
    done = subprocess.run(argv_, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0 or not ok, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def _fresh_venv(path: Path) -> Path:
    """A venv without pip whose site-packages sees this environment's packages after its own."""
    venv.create(path, with_pip=False)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    Path(purelib, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _pip(python: Path, *args: str | Path, cwd: Path) -> None:
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", *args, cwd=cwd)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp / "dist", _copy(tmp), cwd=tmp)
    return tmp / "dist"


def test_the_wheel_holds_clientkit_and_its_services_only(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    info = f"clientkit-{__version__}.dist-info"
    assert {name.split("/")[0] for name in names} == {"clientkit", "clientkit_services", info}
    top_level = zipfile.ZipFile(wheel).read(f"{info}/top_level.txt").decode().split()
    assert top_level == ["clientkit", "clientkit_services"]
    package = (ROOT / "clientkit").rglob("*")
    shipped = {str(p.relative_to(ROOT)) for p in package if p.suffix in {".py", ".typed"}}
    shipped |= {
        "clientkit_services/" + str(p.relative_to(ROOT / "resources"))
        for p in (ROOT / "resources").rglob("*")
        if p.suffix in {".py", ".typed", ".json"}
    }
    assert shipped - set(names) == set(), "pyproject's package list misses a package"
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata and "\nLicense-Expression: MIT\n" in metadata
    assert "Project-URL: Changelog" in metadata


@contextmanager
def _sandbox(clientkit: Path, cwd: Path) -> Iterator[str]:
    """``clientkit sandbox clappform`` from the installed command; yields its API URL."""
    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd)}
    proc = subprocess.Popen(
        [clientkit, "sandbox", "clappform", "--port", str(port)], cwd=cwd, env=env, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        assert f"127.0.0.1:{port}/api" in proc.stdout.readline().decode()
        yield f"http://127.0.0.1:{port}/api"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_the_wheel_installs_beside_a_project_with_its_own_resources(dist: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    _pip(python, next(dist.glob("*.whl")), cwd=tmp_path)
    project = tmp_path / "project"
    (project / "resources").mkdir(parents=True)
    (project / "resources" / "__init__.py").write_text('WHOSE = "mine"\n')
    (project / "resources" / "shop.py").write_text(SHOP)
    check = (
        "import clientkit, clientkit_services.clappform as c, resources.shop\n"
        "import resources\n"
        "print(resources.WHOSE, clientkit.__file__, c.__file__, sep='\\n')\n"
    )
    whose, clientkit_file, services_file = _run(python, "-c", check, cwd=project).stdout.split()
    site = str(tmp_path / "venv")
    assert whose == "mine" and clientkit_file.startswith(site) and services_file.startswith(site)
    command = tmp_path / "venv" / "bin" / "clientkit"
    assert _run(command, "--version", cwd=project).stdout.strip().endswith(__version__)
    assert re.search(r"\bbook\b", _run(command, "resources.shop:Shop", "--help", cwd=project).stdout)
    assert re.search(r"\bapp\b", _run(command, "clappform", "--help", cwd=project).stdout)
    with _sandbox(command, project) as api:
        login = {"username": "j.doe@clappform.com", "password": "demo-password"}
        assert requests.post(f"{api}/auth", json=login, timeout=5).status_code == 200


def test_the_sdist_holds_the_suite_and_its_tests_run(dist: Path, tmp_path: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    unpacked = tmp_path / f"clientkit-{__version__}"
    for needed in (
        "conftest.py", "CHANGELOG.md", "docs/declaring.md", "tests/support/scripted.py",
        "tests/support/checkout/clientkit_services/__init__.py", "tests/servers/package.json",
        "tests/servers/package-lock.json", "tests/servers/drf_app.py", "tests/servers/drfapp/models.py",
        "resources/clappform/demo.json", ".ci/run",
    ):
        assert (unpacked / needed).is_file(), needed
    assert not list(unpacked.rglob("node_modules")) and not list(unpacked.rglob("__pycache__"))
    code = "import clientkit, clientkit_services as s; print(clientkit.__file__, *s.__path__)"
    path = f"{unpacked / 'tests/support/checkout'}:{unpacked}"  # as the suite starts commands
    where = _run(sys.executable, "-c", code, cwd=unpacked, PYTHONPATH=path)
    assert where.stdout.split() == [f"{unpacked}/clientkit/__init__.py", f"{unpacked}/resources"]
    subset = ["tests/cli/test_serve.py", "tests/client/test_pager.py", "tests/test_architecture.py"]
    pytest_ = (sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *subset)
    done = _run(*pytest_, cwd=unpacked, PYTHONPATH=str(unpacked))
    assert re.search(r"\d+ passed", done.stdout)


def test_an_editable_install_type_checks_from_another_folder(tmp_path: Path) -> None:
    """The README's ``editable_mode=strict``: a static path that mypy follows, unlike the
    default mode's import hook, and no project root on the path (``compat`` would put
    ``resources``, ``tests`` and ``examples`` there)."""
    python = _fresh_venv(tmp_path / "venv")
    source = _copy(tmp_path)
    strict = ("--config-settings", "editable_mode=strict")
    _pip(python, "--no-build-isolation", *strict, "-e", source, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    user = SHOP + (
        "from clientkit_services.clappform import App, Clappform\n\n"
        "book = Book(title='Dune')\n"
        "apps: list[App] = []\n"
        "client: type[Clappform] = Clappform\n"
        "wrong: int = book.title\n"
    )
    (elsewhere / "user.py").write_text(user)
    mypy = (python, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", tmp_path / "cache")
    done = _run(*mypy, "user.py", cwd=elsewhere, ok=False)
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    wrong = user.splitlines().index("wrong: int = book.title") + 1
    assert len(errors) == 1 and errors[0].startswith(f"user.py:{wrong}:"), done.stdout
    assert "[assignment]" in errors[0]
