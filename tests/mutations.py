"""Hypothesis strategies that spoil a valid file, for the fuzz tests of the importers and the
framework loader (tests/fuzz): a table loses, repeats or renames columns, gets hostile cells
(unicode, control characters, formulas, very long text, huge numbers, NaN), loses or repeats
rows; its bytes are truncated, flipped, given a BOM or another encoding; a JSON or YAML
document gets values of the wrong type, deep nesting and repeated keys.

Every fuzz test runs derandomized and without the example database (``FUZZ``): CI sees the
same examples on every run; ``MNR_FUZZ_EXAMPLES`` sets how many."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    # MNR_FUZZ_EXAMPLES=2000 hunts deeper by hand; CI keeps the default.
    max_examples=int(os.environ.get("MNR_FUZZ_EXAMPLES", "40")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

Table = list[list[str]]

FORMULAS = ("=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)")
NUMBERS = ("NaN", "nan", "inf", "-inf", "1e309", "-0", "9" * 400, "0x1F", "1_000", "3.0")
SPECIAL = ("", " ", "\ufeff", "\x00", "\ud800", "\u202e", "\r\n", '"', "'", ";", ",", "\t")

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.text(st.characters(max_codepoint=31), max_size=10),
    st.sampled_from(FORMULAS + NUMBERS + SPECIAL),
    st.integers(min_value=1, max_value=12_000).map(lambda size: "é" * size),
)
"""A cell: any text, control characters, formulas, numbers spelled oddly, long text."""


@st.composite
def mutated_table(draw: st.DrawFn, valid: Table) -> Table:
    """``valid`` (header first) after a few mutations of its columns, rows and cells."""
    table = [list(row) for row in valid]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        width = max(len(row) for row in table) if table else 0
        operation = draw(
            st.sampled_from(
                [
                    "drop_column",
                    "repeat_column",
                    "rename_column",
                    "cell",
                    "cell",
                    "cell",
                    "drop_row",
                    "repeat_row",
                    "extra_cell",
                    "short_row",
                ]
            )
        )
        if operation in ("drop_column", "repeat_column", "rename_column") and width:
            column = draw(st.integers(min_value=0, max_value=width - 1))
            for row in table:
                if column >= len(row):
                    continue
                if operation == "drop_column":
                    del row[column]
                elif operation == "repeat_column":
                    row.insert(column, row[column])
            if operation == "rename_column" and table and column < len(table[0]):
                table[0][column] = draw(hostile_text)
        elif operation == "cell" and table:
            row = draw(st.sampled_from(table))
            if row:
                row[draw(st.integers(min_value=0, max_value=len(row) - 1))] = draw(hostile_text)
        elif operation == "drop_row" and len(table) > 1:
            del table[draw(st.integers(min_value=0, max_value=len(table) - 1))]
        elif operation == "repeat_row" and table:
            table.append(list(draw(st.sampled_from(table))))
        elif operation == "extra_cell" and table:
            draw(st.sampled_from(table)).append(draw(hostile_text))
        elif operation == "short_row" and table:
            row = draw(st.sampled_from(table))
            del row[len(row) // 2 :]
    return table


def csv_bytes(table: Table, delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(table)
    return out.getvalue()


@st.composite
def encoded_csv(draw: st.DrawFn, table: Table) -> bytes:
    """The table as CSV: some delimiter, and UTF-8 with or without a BOM, or another encoding."""
    text = csv_bytes(table, draw(st.sampled_from([",", ";", "\t"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]))
    return text.encode(
        encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace"
    )


def xlsx_bytes(table: Sequence[Sequence[object]], sheet_name: str = "Sheet") -> bytes:
    """The table as a workbook; cells XML cannot hold are written escaped as Excel does."""
    from openpyxl import Workbook

    from mnr.core.spreadsheet import escape_xlsx

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    for row in table:
        sheet.append(
            [
                escape_xlsx(cell.encode("utf-8", "replace").decode())
                if isinstance(cell, str)
                else cell
                for cell in row
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return stable_archive(out.getvalue())


def stable_archive(content: bytes) -> bytes:
    """A workbook's archive with the save time taken out (openpyxl stamps the time into the
    properties and the ZIP entries): the same table gives the same bytes, as hypothesis needs
    to replay an example."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            part = source.read(name)
            if name == "docProps/core.xml":
                part = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", part)
            archive.writestr(
                zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), part, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


@st.composite
def typed_cells(draw: st.DrawFn, table: Table) -> list[list[object]]:
    """The table with some cells as numbers, booleans, dates or huge or non-finite floats, as a
    workbook may hold them."""
    import datetime

    odd = st.one_of(
        st.integers(min_value=-(10**18), max_value=10**18),
        st.floats(allow_nan=True, allow_infinity=False),
        st.booleans(),
        st.dates(),
        st.just(datetime.datetime(2021, 5, 6, 7, 8, 9)),
    )
    rows: list[list[object]] = [list(row) for row in table]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        if rows and (row := draw(st.sampled_from(rows))):
            row[draw(st.integers(min_value=0, max_value=len(row) - 1))] = draw(odd)
    return rows


@st.composite
def spoiled_bytes(draw: st.DrawFn, content: bytes) -> bytes:
    """``content`` truncated, with bytes flipped or inserted, or a BOM put before it."""
    data = bytearray(content)
    operation = draw(st.sampled_from(["truncate", "flip", "insert", "bom", "none"]))
    if operation == "truncate" and data:
        del data[draw(st.integers(min_value=0, max_value=len(data) - 1)) :]
    elif operation == "flip" and data:
        for _ in range(draw(st.integers(min_value=1, max_value=8))):
            data[draw(st.integers(min_value=0, max_value=len(data) - 1))] = draw(
                st.integers(min_value=0, max_value=255)
            )
    elif operation == "insert":
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=16))
    elif operation == "bom":
        data[:0] = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
    return bytes(data)


@st.composite
def spoiled_archive(draw: st.DrawFn, content: bytes) -> bytes:
    """A ZIP archive (an XLSX workbook) whose parts are all there but one is truncated,
    garbled, dropped or replaced by an XML entity bomb: the archive opens, its XML does not."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    operation = draw(st.sampled_from(["truncate", "truncate", "garble", "drop", "entities"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            part = source.read(name)
            if name == victim:
                if operation == "drop":
                    continue
                if operation == "truncate":
                    part = part[: draw(st.integers(min_value=0, max_value=len(part)))]
                elif operation == "garble":
                    at = draw(st.integers(min_value=0, max_value=len(part)))
                    part = part[:at] + draw(st.binary(min_size=1, max_size=8)) + part[at:]
                else:
                    part = ENTITY_BOMB
            archive.writestr(
                zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), part, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {name} "{("&" + previous + ";") * 10}">'.encode()
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + b"]><x>&i;</x>"
)
"""XML whose entities expand to 10**9 characters ("billion laughs")."""


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | hostile_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=8,
)
"""Any JSON value, including NaN and Infinity (which Python's json writes and reads)."""


def nested(depth: int, opening: str = "[") -> str:
    """``[[[…]]]`` or ``{"a": {"a": …}}``, ``depth`` deep."""
    if opening == "{":
        return '{"a": ' * depth + "1" + "}" * depth
    return "[" * depth + "]" * depth


@st.composite
def mutated_document(draw: st.DrawFn, document: Any) -> Any:
    """A JSON-like document (dicts, lists, scalars) with one to three of its values replaced
    by a value of any type, a key renamed, dropped or a list emptied."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        document = _mutate_somewhere(draw, document)
    return document


def _mutate_somewhere(draw: st.DrawFn, node: Any) -> Any:
    if isinstance(node, dict) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node, key=str)))
        operation = draw(st.sampled_from(["descend", "descend", "drop", "rename", "replace"]))
        if operation == "descend":
            node[key] = _mutate_somewhere(draw, node[key])
        elif operation == "drop":
            del node[key]
        elif operation == "rename":
            node[draw(hostile_text)] = node.pop(key)
        else:
            node[key] = draw(json_values)
        return node
    if isinstance(node, list) and node and draw(st.booleans()):
        index = draw(st.integers(min_value=0, max_value=len(node) - 1))
        operation = draw(st.sampled_from(["descend", "descend", "drop", "repeat", "replace"]))
        if operation == "descend":
            node[index] = _mutate_somewhere(draw, node[index])
        elif operation == "drop":
            del node[index]
        elif operation == "repeat":
            node.append(json.loads(json.dumps(node[index])))
        else:
            node[index] = draw(json_values)
        return node
    return draw(json_values) if draw(st.booleans()) else node


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """A YAML file of a few hundred bytes whose aliases expand to ``width ** levels`` strings."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(width))
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"
