"""What `make wheel` built, checked as shipped and installed the way a user installs it.

`make test-wheel` runs this module (`pytest tests/release --artifacts target/wheels`). The wheel for this
machine's architecture is installed into fresh venvs with `pip install --no-index`: the plain install takes
its dependencies from a wheelhouse of the lock's runtime packages (downloaded with their hashes), and the
extras are resolved against the lock's packages installed beforehand. The other architecture's wheel cannot
run here; its binaries are checked with readelf. The sdist is built with pip, cargo and the C compiler alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, vector_path, workspace_version
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Architecture -> the machine name readelf prints for it.
ARCHES = {"x86_64": "Advanced Micro Devices X86-64", "aarch64": "AArch64"}
HOST_ARCH = platform.machine()
MANYLINUX = "manylinux_2_28"
GLIBC_FLOOR = (2, 28)
# What a plain `pip install gonka` must not bring: the extras' heavy parts, and click (Typer vendors it).
NOT_IN_A_PLAIN_INSTALL = {"torch", "triton", "fastapi", "starlette", "uvicorn", "prometheus-client", "click"}
GROUPS = ["keys", "poc", "tx", "query", "admin", "node", "bench"]
SMOKE = Path(__file__).with_name("smoke.py")
# Tools that venvs bring themselves.
VENV_TOOLS = {"pip", "setuptools"}


@dataclass(frozen=True)
class Artifacts:
    wheels: dict[str, Path]
    sdist: Path


def _environment(*, offline: bool, **extra: str) -> dict[str, str]:
    """The caller's environment without pip's settings: PIP_FIND_LINKS and the like could add packages from
    outside the lock. Offline runs read no pip configuration file either."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PIP_", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if offline:
        env["PIP_CONFIG_FILE"] = os.devnull
    env.update(extra)
    return env


def _run(
    args: list[str | Path], *, env: dict[str, str] | None = None, stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env or _environment(offline=True),
        timeout=1800,
    )
    if check:
        command = " ".join(str(arg) for arg in args)
        assert result.returncode == 0, (
            f"{command}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


@dataclass(frozen=True)
class Venv:
    path: Path

    @classmethod
    def create(cls, path: Path) -> Venv:
        _run([sys.executable, "-m", "venv", path])
        return cls(path)

    def bin(self, name: str) -> Path:
        return self.path / "bin" / name

    def pip(self, *args: str | Path, env: dict[str, str] | None = None) -> str:
        return _run([self.bin("python"), "-m", "pip", *args], env=env).stdout

    def installed(self) -> dict[str, str]:
        probe = (
            "import importlib.metadata as m, json; "
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
        )
        found = json.loads(_run([self.bin("python"), "-c", probe]).stdout)
        return {canonicalize_name(name): version for name, version in found.items()}

    def gonka(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([self.bin("gonka"), *args], check=False)


def _uv() -> str:
    uv = shutil.which("uv") or ROOT / ".tools" / "bin" / "uv"
    assert Path(uv).is_file(), "uv not found: `make test-wheel` installs it"
    return str(uv)


def _lock_export(path: Path, *selection: str) -> Path:
    """The lock's packages for `selection`, pinned with their hashes, as a requirements file."""
    _run(
        [
            _uv(),
            "export",
            "--frozen",
            "--no-emit-project",
            "--project",
            ROOT,
            "--output-file",
            path,
            *selection,
        ],
        env=_environment(offline=False),
    )
    return path


def _pins(requirements: Path) -> dict[str, str]:
    """name -> version of each requirement whose marker holds for this interpreter (the venvs' own)."""
    pins = {}
    for line in requirements.read_text().splitlines():
        if not line or line[0] in " #":
            continue
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate():
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def _only(directory: Path, name: str) -> Path:
    path = directory / name
    assert path.is_file(), f"{name} is not in {directory}: {sorted(p.name for p in directory.iterdir())}"
    return path


@pytest.fixture(scope="session")
def artifacts(pytestconfig: pytest.Config) -> Artifacts:
    dist = Path(pytestconfig.getoption("--artifacts")).resolve()
    version = workspace_version()
    wheels = {arch: _only(dist, f"gonka-{version}-cp310-abi3-{MANYLINUX}_{arch}.whl") for arch in ARCHES}
    return Artifacts(wheels=wheels, sdist=_only(dist, f"gonka-{version}.tar.gz"))


@pytest.fixture(scope="session")
def host_wheel(artifacts: Artifacts) -> Path:
    assert HOST_ARCH in ARCHES, f"no wheel is built for this machine's architecture {HOST_ARCH}"
    return artifacts.wheels[HOST_ARCH]


@pytest.fixture(scope="session")
def lock_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lock")


@pytest.fixture(scope="session")
def runtime_pins(lock_dir: Path) -> dict[str, str]:
    return _pins(_lock_export(lock_dir / "runtime.txt", "--no-dev"))


@pytest.fixture(scope="session")
def wheelhouse(lock_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lock's wheels of the runtime dependencies and of the build backend (maturin), hash-checked."""
    root = tmp_path_factory.mktemp("wheelhouse")
    runtime = _lock_export(lock_dir / "runtime-wheelhouse.txt", "--no-dev")
    build = _lock_export(lock_dir / "build.txt", "--only-group", "wheel", "--prune", "ziglang")
    downloader = Venv.create(root / "downloader")
    for requirements in (runtime, build):
        downloader.pip(
            "download", "--require-hashes", "--no-deps", "--only-binary", ":all:",
            "--requirement", requirements, "--dest", root / "wheels",
            env=_environment(offline=False),
        )  # fmt: skip
    return root / "wheels"


@pytest.fixture(scope="session")
def plain(tmp_path_factory: pytest.TempPathFactory, host_wheel: Path, wheelhouse: Path) -> Venv:
    """`pip install gonka`: the host wheel and the dependencies it asks for, from the wheelhouse only."""
    venv = Venv.create(tmp_path_factory.mktemp("plain") / "venv")
    venv.pip("install", "--no-index", "--find-links", wheelhouse, "--only-binary", ":all:", host_wheel)
    return venv


@pytest.fixture(scope="session")
def full(tmp_path_factory: pytest.TempPathFactory, lock_dir: Path, host_wheel: Path) -> Venv:
    """`pip install gonka[poc,node]` where the lock's packages for both extras are installed (by uv, from the
    lock export with hashes; torch's CUDA libraries are too big to collect as a wheelhouse)."""
    venv = Venv.create(tmp_path_factory.mktemp("full") / "venv")
    extras = _lock_export(lock_dir / "extras.txt", "--no-dev", "--extra", "poc", "--extra", "node")
    _run(
        [
            _uv(),
            "pip",
            "install",
            "--python",
            venv.bin("python"),
            "--no-deps",
            "--require-hashes",
            "-r",
            extras,
        ],
        env=_environment(offline=False),
    )
    # No index and no wheelhouse: pip resolves the extras against what is installed, or fails.
    venv.pip("install", "--no-index", f"{host_wheel}[poc,node]")
    return venv


# --- the artifacts as shipped ---


@pytest.mark.parametrize("arch", ARCHES)
def test_auditwheel_finds_the_manylinux_policy(artifacts: Artifacts, arch: str) -> None:
    auditwheel = Path(sys.executable).with_name("auditwheel")
    report = " ".join(_run([auditwheel, "show", artifacts.wheels[arch]]).stdout.split())
    assert f'consistent with the following platform tag: "{MANYLINUX}_{arch}"' in report, report


def _elf_members(wheel: Path, into: Path) -> list[Path]:
    binaries = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if data.startswith(b"\x7fELF"):
                path = into / name.replace("/", "_")
                path.write_bytes(data)
                binaries.append(path)
    return binaries


@pytest.mark.parametrize("arch", ARCHES)
def test_every_binary_is_built_for_its_architecture_and_old_glibc(
    artifacts: Artifacts, arch: str, tmp_path: Path
) -> None:
    binaries = _elf_members(artifacts.wheels[arch], tmp_path)
    assert [b.name for b in binaries] == ["gonka__native.abi3.so"]
    for binary in binaries:
        header = _run(["readelf", "--file-header", binary]).stdout
        assert re.search(rf"Machine:\s+{re.escape(ARCHES[arch])}\n", header), header
        needed = _run(["readelf", "--version-info", "--wide", binary]).stdout
        glibc = {tuple(map(int, v.split("."))) for v in re.findall(r"Name: GLIBC_([\d.]+)", needed)}
        assert glibc and max(glibc) <= GLIBC_FLOOR, sorted(glibc)
        sections = re.findall(
            r"\]\s+(\.\S+)", _run(["readelf", "--section-headers", "--wide", binary]).stdout
        )
        assert ".text" in sections
        assert not [s for s in sections if s.startswith(".debug") or s == ".symtab"], sections


def test_sdist_holds_every_source_file(artifacts: Artifacts) -> None:
    tracked = _run(["git", "-C", ROOT, "ls-files", "python/gonka", "rust", "Cargo.toml", "Cargo.lock"]).stdout
    sources = {
        p
        for p in tracked.split()
        if not p.startswith("rust/") or re.match(r"rust/[^/]+/(src/|proto/|build\.rs|Cargo\.toml)", p)
    }
    with tarfile.open(artifacts.sdist) as archive:
        root = f"gonka-{workspace_version()}/"
        shipped = {name.removeprefix(root) for name in archive.getnames()}
        info = archive.extractfile(root + "PKG-INFO")
        assert info is not None
        assert f"\nVersion: {workspace_version()}\n" in info.read().decode()
    assert sources - shipped == set()
    assert {"pyproject.toml", "README.md", "PKG-INFO"} <= shipped


# --- a plain install ---


def test_plain_install_holds_exactly_the_locked_runtime(plain: Venv, runtime_pins: dict[str, str]) -> None:
    installed = plain.installed()
    assert installed.pop("gonka") == workspace_version()
    assert not NOT_IN_A_PLAIN_INSTALL & installed.keys()
    assert {name: v for name, v in installed.items() if name not in VENV_TOOLS} == runtime_pins


def _oracle_key(mnemonic: str) -> tuple[bytes, bytes, str]:
    """secret, compressed public key and address along m/44'/1200'/0'/0/0, by bip-utils."""
    from bip_utils import AtomAddrEncoder, Bip32Slip10Secp256k1, Bip39SeedGenerator

    node = Bip32Slip10Secp256k1.FromSeed(Bip39SeedGenerator(mnemonic).Generate()).DerivePath(
        "m/44'/1200'/0'/0/0"
    )
    public = node.PublicKey().RawCompressed().ToBytes()
    return node.PrivateKey().Raw().ToBytes(), public, AtomAddrEncoder.EncodeKey(public, hrp="gonka")


def _oracle_tx(secret: bytes, request: dict[str, object], sender: str) -> bytes:
    """The same MsgSend signed by cosmpy (deterministic RFC 6979 signature)."""
    from cosmpy.aerial.tx import SigningCfg, Transaction, TxFee
    from cosmpy.crypto.keypairs import PrivateKey as CosmpyKey
    from cosmpy.protos.cosmos.bank.v1beta1.tx_pb2 import MsgSend
    from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin

    key = CosmpyKey(secret)
    tx = Transaction()
    tx.add_message(
        MsgSend(
            from_address=sender,
            to_address=request["to"],
            amount=[Coin(denom="ngonka", amount=str(request["amount"]))],
        )
    )
    tx.seal(
        SigningCfg.direct(key.public_key, 0),
        fee=TxFee(amount=f"{request['fee']}ngonka", gas_limit=request["gas_limit"]),
        memo=request["memo"],
    )
    tx.sign(key, request["chain_id"], request["account_number"], deterministic=True)
    tx.complete()
    return bytes(tx.tx.SerializeToString())


def _check_smoke(venv: Venv) -> dict[str, str]:
    """Runs smoke.py in `venv` and checks its keys, signature and transaction against peer libraries."""
    import coincurve

    bip39 = json.loads(vector_path("bip39_english.json").read_text())
    request = {
        "mnemonic": bip39["vectors"][-1]["mnemonic"],
        "message": b"gonka wheel smoke test".hex(),
        "to": "gonka1y2a9p56kv044327uycmqdexl7zs82fs5ryv5le",
        "amount": 1000,
        "fee": 2000,
        "gas_limit": 200000,
        "memo": "wheel",
        "chain_id": "gonka-mainnet",
        "account_number": 7,
    }
    out = json.loads(_run([venv.bin("python"), SMOKE], stdin=json.dumps(request)).stdout)
    assert Path(out["native_module"]).is_relative_to(venv.path), out["native_module"]
    assert out["version"] == out["distribution_version"] == workspace_version()
    secret, public, address = _oracle_key(str(request["mnemonic"]))
    assert (out["public_key"], out["address"]) == (public.hex(), address)
    message = bytes.fromhex(str(request["message"]))
    expected = coincurve.PrivateKey(secret).sign_recoverable(
        message, hasher=lambda m: hashlib.sha256(m).digest()
    )
    assert out["signature"] == expected[:64].hex()
    assert out["tx"] == _oracle_tx(secret, request, address).hex()
    return out


def test_plain_install_derives_keys_and_signs_like_the_peer_libraries(plain: Venv) -> None:
    out = _check_smoke(plain)
    assert out["build_target"] == f"{HOST_ARCH}-unknown-linux-gnu"
    assert out["build_profile"] == "release (opt-level 3)"


def test_plain_install_cli(plain: Venv) -> None:
    help_text = plain.gonka("--help")
    assert help_text.returncode == 0, help_text.stderr
    for name in [*GROUPS, "version", "demo", "verify-binary"]:
        assert f" {name} " in help_text.stdout
    # Every group loads on a plain install (groups are imported on first use).
    for group in GROUPS:
        result = plain.gonka(group, "--help")
        assert result.returncode == 0, (group, result.stderr)
    version = plain.gonka("version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.splitlines()[0] == f"gonka {workspace_version()}"
    assert f"native module: {HOST_ARCH}-unknown-linux-gnu, rustc " in version.stdout
    assert version.stdout.rstrip().endswith("profile release (opt-level 3)")


def test_plain_install_names_the_extra_a_command_needs(plain: Venv) -> None:
    result = plain.gonka("poc", "distances", "--block-hash", "ab", "--public-key", "k", "--params", "small")
    assert result.returncode == 1
    assert "pip install 'gonka[poc]'" in result.stderr and "Traceback" not in result.stderr


# --- the extras ---


def test_extras_resolve_against_the_lock(full: Venv, lock_dir: Path) -> None:
    _run([full.bin("python"), "-m", "pip", "check"])
    pins = _pins(lock_dir / "extras.txt")
    installed = full.installed()
    for name in ("torch", "fastapi", "uvicorn", "prometheus-client"):
        assert installed[name] == pins[name], name


def test_poc_distances_on_the_small_params_match_the_golden_vectors(full: Venv) -> None:
    case = next(
        c
        for c in json.loads(vector_path("poc", "poc_golden_public.json").read_text())["cases"]
        if (c["params_name"], c["dtype"]) == ("small", "float32")
    )
    nonces = case["nonces"]
    result = full.gonka(
        "poc", "distances", "--params", "small", "--device", "cpu", "--dtype", "float32", "--json",
        "--block-hash", case["block_hash"], "--public-key", case["public_key"],
        "--nonces", f"{nonces[0]}-{nonces[-1]}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["nonces"] == nonces and out["params"] == case["params"]
    np.testing.assert_allclose(out["dist"], case["dist"], rtol=0, atol=1e-6)


# --- the sdist ---


@pytest.fixture(scope="session")
def sdist_wheel(tmp_path_factory: pytest.TempPathFactory, artifacts: Artifacts, wheelhouse: Path) -> Path:
    """The sdist built by pip with the locked maturin, with nothing on PATH but cargo and the system's tools
    (the C compiler among them): no zig, no system Python packages."""
    cargo = shutil.which("cargo")
    assert cargo, "cargo not found"
    out = tmp_path_factory.mktemp("sdist-wheel")
    builder = Venv.create(tmp_path_factory.mktemp("sdist") / "venv")
    env = _environment(
        offline=True,
        PATH=f"{Path(cargo).parent}:/usr/bin:/bin",
        # Kept between runs: the crates.io dependencies are built once; the sources from the sdist every time.
        CARGO_TARGET_DIR=str(ROOT / "target" / "sdist-build"),
    )
    builder.pip(
        "wheel",
        "--no-index",
        "--find-links",
        wheelhouse,
        "--no-deps",
        "--wheel-dir",
        out,
        artifacts.sdist,
        env=env,
    )
    (wheel,) = out.glob("gonka-*.whl")
    return wheel


def test_sdist_builds_a_wheel_that_works(sdist_wheel: Path, wheelhouse: Path, tmp_path: Path) -> None:
    assert re.fullmatch(
        rf"gonka-{re.escape(workspace_version())}-cp310-abi3-\w+_{HOST_ARCH}\.whl", sdist_wheel.name
    )
    venv = Venv.create(tmp_path / "venv")
    venv.pip("install", "--no-index", "--find-links", wheelhouse, "--only-binary", ":all:", sdist_wheel)
    out = _check_smoke(venv)
    assert out["build_profile"] == "release (opt-level 3)"
