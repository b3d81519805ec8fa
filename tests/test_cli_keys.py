"""`gonka keys ...` and `gonka demo` through typer's CliRunner."""

import base64
import json
import stat
from pathlib import Path

from gonka.cli import app
from gonka.keys import ConsensusKey, Mnemonic, PrivateKey
from typer.testing import CliRunner

runner = CliRunner()
ABOUT = "abandon " * 11 + "about"


def invoke(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


def test_new_prints_a_valid_mnemonic_and_its_address() -> None:
    result = invoke("keys", "new", "--words", "12", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    mnemonic = Mnemonic(data["mnemonic"])
    assert mnemonic.word_count == 12
    key = PrivateKey.from_mnemonic(mnemonic)
    assert data["address"] == key.public_key.address()
    assert data["valoper_address"] == key.public_key.address("gonkavaloper")
    assert data["path"] == "m/44'/1200'/0'/0/0"


def test_new_human_output_defaults_to_24_words() -> None:
    result = invoke("keys", "new")
    assert result.exit_code == 0, result.output
    assert "gonka1" in result.output and "24 words" in result.output


def test_new_saves_the_mnemonic_privately_and_does_not_print_it(tmp_path: Path) -> None:
    out = tmp_path / "mnemonic.txt"
    result = invoke("keys", "new", "--output", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "mnemonic" not in data and data["mnemonic_file"] == str(out)
    phrase = out.read_text().strip()
    assert phrase not in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert PrivateKey.from_mnemonic(phrase).public_key.address() == data["address"]
    again = invoke("keys", "new", "--output", str(out))
    assert again.exit_code != 0 and "refusing to overwrite" in again.output
    assert out.read_text().strip() == phrase


def test_new_rejects_other_word_counts() -> None:
    result = invoke("keys", "new", "--words", "15")
    assert result.exit_code != 0 and "12 or 24" in result.output


def test_show_reads_a_mnemonic_file(tmp_path: Path) -> None:
    words = tmp_path / "words"
    words.write_text(ABOUT + "\n")
    result = invoke("keys", "show", "--mnemonic-file", str(words), "--json")
    assert result.exit_code == 0, result.output
    key = PrivateKey.from_mnemonic(ABOUT)
    data = json.loads(result.output)
    assert data["address"] == key.public_key.address()
    assert data["valoper_address"] == key.public_key.address("gonkavaloper")
    assert data["public_key_hex"] == key.public_key.compressed.hex()


def test_show_prompts_hidden_for_mnemonic_and_passphrase() -> None:
    path = "m/44'/1200'/0'/0/3"
    result = invoke("keys", "show", "--passphrase", "--path", path, stdin=f"{ABOUT}\nsecret\n")
    assert result.exit_code == 0, result.output
    expected = PrivateKey.from_mnemonic(ABOUT, passphrase="secret", path=path)
    assert expected.public_key.address() in result.output
    assert "abandon" not in result.output and "secret" not in result.output


def test_show_takes_no_mnemonic_argument() -> None:
    result = invoke("keys", "show", *ABOUT.split())
    assert result.exit_code != 0


def test_show_reports_a_bad_mnemonic_in_one_line(tmp_path: Path) -> None:
    words = tmp_path / "words"
    words.write_text(ABOUT.replace("about", "abuot"))
    result = invoke("keys", "show", "--mnemonic-file", str(words))
    assert result.exit_code == 1
    assert 'word 12 "abuot"' in result.output and "Traceback" not in result.output


def test_consensus_address_of_a_tmkms_file(tmp_path: Path) -> None:
    key = ConsensusKey.from_seed(bytes(range(32)))
    key_file = tmp_path / "priv_validator_key.softsign"
    key_file.write_text(key.to_tmkms_base64())
    result = invoke("keys", "consensus-address", str(key_file), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "address_hex": key.address_hex,
        "valcons_address": key.address(),
        "validator_key": key.public_key_base64,
    }
    human = invoke("keys", "consensus-address", str(key_file))
    assert key.address() in human.output and key.public_key_base64 in human.output


def test_consensus_address_reports_a_corrupt_file(tmp_path: Path) -> None:
    key_file = tmp_path / "bad"
    key_file.write_text(base64.b64encode(b"\x01" * 10).decode())
    result = invoke("keys", "consensus-address", str(key_file))
    assert result.exit_code == 1 and "holds 10 bytes" in result.output


def test_demo_runs_and_hides_the_mnemonic() -> None:
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    assert "gonka1" in result.output and "all checks passed" in result.output
    assert "Mnemonic(<24 words>)" in result.output


def test_demo_can_show_the_mnemonic() -> None:
    result = invoke("demo", "--words", "12", "--show-mnemonic")
    assert result.exit_code == 0, result.output
    assert "Mnemonic(<" not in result.output
