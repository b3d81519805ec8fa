"""The native module loads, raises gonka's exception classes and never leaks a Rust panic."""

import hashlib
import importlib.metadata
import platform
import re

import gonka
import pytest
from conftest import workspace_version
from gonka import _native
from gonka.errors import (
    GonkaError,
    InternalError,
    InvalidAddress,
    InvalidInput,
    InvalidKey,
    InvalidMnemonic,
    InvalidSignature,
)
from gonka.hashing import hash160, ripemd160, sha256


def test_version_is_the_workspace_version() -> None:
    # One source: Cargo's workspace version, which maturin also writes into the package metadata.
    assert gonka.__version__ == workspace_version() == importlib.metadata.version("gonka")


def test_build_info_is_recorded() -> None:
    assert _native.BUILD_TARGET.startswith(platform.machine())
    assert re.fullmatch(r"rustc \d+\.\d+\.\d+\S* \(.+\)", _native.BUILD_RUSTC)
    assert re.fullmatch(r"(release|debug) \(opt-level [0-3sz]\)", _native.BUILD_PROFILE)


@pytest.mark.parametrize(
    "cls", [InvalidInput, InvalidMnemonic, InvalidAddress, InvalidKey, InvalidSignature, InternalError]
)
def test_every_error_is_a_gonka_error(cls: type) -> None:
    assert issubclass(cls, GonkaError)
    assert issubclass(GonkaError, Exception)


def test_panic_becomes_internal_error() -> None:
    with pytest.raises(InternalError, match="deliberate panic"):
        _native._panic_for_test()


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 3])
def test_hashes_match_hashlib(data: bytes) -> None:
    assert sha256(data) == hashlib.sha256(data).digest()
    try:
        expected_ripemd = hashlib.new("ripemd160", data).digest()
    except ValueError:  # OpenSSL 3 may disable RIPEMD-160
        expected_ripemd = None
    if expected_ripemd is not None:
        assert ripemd160(data) == expected_ripemd
        assert hash160(data) == hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def test_ripemd160_known_vector() -> None:
    assert ripemd160(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"
