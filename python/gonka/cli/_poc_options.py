"""Command-line values of the PoC commands: params presets or files, and r_target names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from gonka.poc import Params

_R_TARGETS = {"launch": "R_TARGET_LAUNCH", "v0.2.6": "R_TARGET_V0_2_6"}


def parse_params(spec: str) -> Params:
    """A preset name (``v2``, ``v1``, ``small``) or the path of a params JSON file."""
    from gonka.errors import InvalidInput
    from gonka.poc import PRESETS, Params

    if spec in PRESETS:
        return PRESETS[spec]
    path = Path(spec)
    if path.is_file():
        try:
            return Params.from_dict(json.loads(path.read_text()))
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"{spec}: not JSON ({exc})") from None
        except InvalidInput as exc:
            raise typer.BadParameter(f"{spec}: {exc}") from None
    raise typer.BadParameter(f"{spec!r} is neither a preset ({', '.join(PRESETS)}) nor a params JSON file")


def parse_r_target(spec: str | None) -> float | None:
    """A number, or a named network value (``launch``, ``v0.2.6``); None stays None."""
    import gonka.poc

    if spec is None:
        return None
    if spec in _R_TARGETS:
        return float(getattr(gonka.poc, _R_TARGETS[spec]))
    try:
        return float(spec)
    except ValueError:
        raise typer.BadParameter(f"{spec!r}: expected a number or one of {', '.join(_R_TARGETS)}") from None
