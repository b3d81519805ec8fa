"""Writes the message classes of gonka.tx (``gonka/tx/_generated.py``) from the schemas that the native
module compiled from the ``.proto`` declarations of gonka-tx: a frozen dataclass per message, an IntEnum
per enum and a type alias per interface. The classes declare names, fields and docs; the native schema of
each message checks, encodes and converts its instances.

After changing a ``.proto`` file and rebuilding::

    python -m gonka._codegen

A test checks that the committed module is what this writes. (It lives outside gonka.tx so that it runs
when gonka.tx no longer imports, its classes being out of date.)
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gonka import _native

__all__ = ["MODULE", "main", "render"]

MODULE = Path(__file__).parent / "tx" / "_generated.py"
LINE_LENGTH = 110
# The bases a generated module may import.
_BASES = ("AnyPayload", "Msg", "ProtoEnum", "ProtoMessage", "RawMsg")
_SCALARS = {
    "string": ("str", '""'),
    "bytes": ("bytes", 'b""'),
    "bool": ("bool", "False"),
    "int": ("int", "0"),
    "float": ("float", "0.0"),
}


def _docstring(text: str, indent: str) -> list[str]:
    """A docstring of ``text`` (a .proto comment), its paragraphs refilled to the line length."""
    # Markdown code spans become reST literals.
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    if not text:
        return []
    width = LINE_LENGTH - len(indent) - 6
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if lines:
            lines.append("")
        lines += textwrap.wrap(" ".join(paragraph.split()), width, break_on_hyphens=False)
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""', ""]
    body = [f"{indent}{line}" if line else "" for line in lines[1:]]
    return [f'{indent}"""{lines[0]}', *body, f'{indent}"""', ""]


def _annotation(field: dict[str, Any]) -> tuple[str, str | None]:
    """The field's annotation and default (None: required). An Any field is typed by the interface it
    accepts (``Msg``, or the alias of the interface's classes)."""
    kind, ref = field["kind"], field["ref"]
    if kind in _SCALARS:
        base, zero = _SCALARS[kind]
    else:
        zero = "None"
        base = {
            "enum": f"{ref} | str | int",
            "coin": "Coin",
            "timestamp": "TimestampLike",
            "message": ref,
            "any": ref or "AnyPayload",
        }[kind]
    if field["repeated"]:
        return f"Sequence[{base}]", None if field["required"] else "()"
    if field["required"]:
        return base, None
    return (f"{base} | None", zero) if zero == "None" else (base, zero)


def render(
    schema: dict[str, Any],
    doc: str = "Message classes generated from .proto declarations.",
    existing: Mapping[str, type] | None = None,
) -> str:
    """The Python module of ``schema`` (what ``_native.tx_schema()`` returns). Messages and enums with a
    class in ``existing`` (by proto full name) are imported from their modules instead of declared."""
    existing = existing or {}
    messages = sorted(
        (m for m in schema["messages"] if m["full_name"] not in existing),
        key=lambda m: (m["implements"] is not None, m["full_name"]),
    )
    enums = [e for e in schema["enums"] if e["full_name"] not in existing]
    defined = {m["class_name"] for m in messages} | {e["class_name"] for e in enums}
    interfaces: dict[str, list[str]] = {}
    for m in messages:
        if m["implements"] and m["implements"] != "Msg":
            interfaces.setdefault(m["implements"], []).append(m["class_name"])
    for m in messages:
        for f in m["fields"]:
            if f["kind"] == "any" and f["ref"] not in (None, "Msg"):
                interfaces.setdefault(f["ref"], [])
    referenced = {f["ref"] for m in messages for f in m["fields"] if f["kind"] in ("enum", "message")}
    modules = {cls.__name__: cls.__module__ for cls in existing.values()}
    imported: dict[str, list[str]] = {}
    for name in sorted(referenced - defined):
        imported.setdefault(modules.get(name, "gonka.tx._generated"), []).append(name)
    annotations = " ".join(_annotation(f)[0] for m in messages for f in m["fields"])
    kinds = {m["implements"] for m in messages}
    used = {
        "ProtoEnum": bool(enums),
        "ProtoMessage": None in kinds,
        "Msg": "Msg" in kinds or re.search(r"\bMsg\b", annotations) is not None,
        "AnyPayload": bool(kinds - {None, "Msg"}) or "AnyPayload" in annotations,
        "RawMsg": bool(interfaces),
    }
    bases = [name for name in _BASES if used[name]] + (["register_enum"] if enums else [])
    mixins = sorted({m["python_mixin"] for m in messages if m["python_mixin"]})
    names = sorted(defined | set(interfaces))

    out = [*_docstring(doc, "")[:-1], "", "from __future__ import annotations", ""]
    out += ["from dataclasses import dataclass"]
    out += ["from typing import TYPE_CHECKING, ClassVar" + (", TypeAlias" if interfaces else ""), ""]
    out += [f"from gonka.tx._base import {', '.join(bases)}"]
    out += [f"from {module} import {', '.join(names)}" for module, names in sorted(imported.items())]
    if mixins:
        out.append(f"from gonka.tx._mixins import {', '.join(mixins)}")
    out += ["", "if TYPE_CHECKING:", "    from collections.abc import Sequence", ""]
    out += ["    from gonka.tx.values import Coin, TimestampLike", ""]
    out += ["__all__: list[str] = [", *[f'    "{name}",' for name in names], "]", ""]
    for e in enums:
        out += ["", f"class {e['class_name']}(ProtoEnum):"]
        out += _docstring(e["doc"], "    ") or [f'    """``{e["full_name"]}``."""', ""]
        out += [f"    {member} = {number}" for member, number in e["members"]]
        out += ["", "", f'register_enum({e["class_name"]}, "{e["full_name"]}")', ""]
    for m in messages:
        base = {None: "ProtoMessage", "Msg": "Msg"}.get(m["implements"], "AnyPayload")
        parents = f"{m['python_mixin']}, {base}" if m["python_mixin"] else base
        header = f'class {m["class_name"]}({parents}, proto="{m["full_name"]}"):'
        out += ["", "@dataclass(frozen=True)", header]
        out += _docstring(m["doc"], "    ") or [f'    """``{m["full_name"]}``."""', ""]
        if m["implements"]:
            out += [f'    TYPE_URL: ClassVar[str] = "{m["type_url"]}"', ""]
        for field in m["fields"]:
            annotation, default = _annotation(field)
            comment = textwrap.wrap(" ".join(field["doc"].split()), LINE_LENGTH - 7)
            out += [f"    #: {line}" for line in comment]
            out.append(f"    {field['name']}: {annotation}" + ("" if default is None else f" = {default}"))
        out.append("")
    for interface, classes in sorted(interfaces.items()):
        out += ["", f"{interface}: TypeAlias = {' | '.join([*classes, 'RawMsg'])}"]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    """Rewrites ``gonka/tx/_generated.py`` (or prints it with ``--stdout``)."""
    text = render(
        _native.tx_schema(),
        "Message classes generated from the .proto declarations of gonka-tx by ``python -m gonka._codegen``;"
        " do not edit: change the .proto file, rebuild and regenerate.",
    )
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        MODULE.write_text(text)


if __name__ == "__main__":
    main()
