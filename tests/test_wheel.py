"""The wheel builds, carries the kernels inside the gonka package, installs in a clean venv and imports."""

import email.parser
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import tomllib, workspace_version
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    maturin = Path(sys.executable).with_name("maturin")
    # The dev profile keeps this test fast; `make wheel` builds the release (lto) wheel the same way.
    subprocess.run(
        [str(maturin), "build", "--profile", "dev", "--out", str(out), "--quiet"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "CARGO_TERM_COLOR": "never"},
    )
    (built,) = out.glob("gonka-*.whl")
    return built


def test_wheel_is_abi3_and_ships_package_files(wheel: Path) -> None:
    assert "abi3" in wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert "gonka/py.typed" in names
    assert "gonka/_native.pyi" in names
    assert "gonka/kernels/__init__.py" in names
    assert any(n.startswith("gonka/_native") and n.endswith(".so") for n in names)


def test_wheel_metadata_keeps_the_heavy_parts_in_extras(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.BytesParser().parsebytes(archive.read(metadata_name))
    assert metadata["Version"] == workspace_version()
    requirements = [Requirement(text) for text in metadata.get_all("Requires-Dist", [])]
    plain = {r.name for r in requirements if r.marker is None}
    by_extra = {
        extra: {r.name for r in requirements if r.marker is not None and r.marker.evaluate({"extra": extra})}
        for extra in ("poc", "node")
    }
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert plain == {Requirement(text).name for text in declared}
    assert not plain & {"torch", "triton", "fastapi", "starlette", "uvicorn", "prometheus-client", "click"}
    assert "torch" in by_extra["poc"] and {"fastapi", "uvicorn"} <= by_extra["node"]


def test_wheel_installs_in_clean_venv_and_imports(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    # Unpack the wheel into the clean environment: no index and no build needed.
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import gonka._native as n, gonka.errors as e; "
        "assert n.sha256(b'abc').hex().startswith('ba7816bf'); "
        "assert issubclass(e.InvalidKey, e.GonkaError); print(n.__version__)"
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == workspace_version()
