"""Fuzzing the framework loader (mnr.core.framework, behind ``mnr framework validate`` and
``mnr framework load``): the shipped edition and instrument, with values of the wrong type,
keys dropped, renamed or repeated, written as YAML or JSON and then truncated or spoiled, are
built or refused with FrameworkError naming the file and where; never another exception.
A YAML file whose aliases expand to billions of entries is refused at once.

tests/core/test_framework_errors.py has the hand-written problems, one by one."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.mutations import FUZZ, billion_laughs, mutated_document, nested, spoiled_bytes

from mnr.core import framework

DATA = Path(framework.__file__).resolve().parents[1] / "frameworks" / "data"
EDITION = DATA / "editions" / "mnr-2016.yaml"
INSTRUMENT = DATA / "instruments" / "mnr-review-2021.yaml"
SHIPPED = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in (EDITION, INSTRUMENT)}
EDITIONS = {"mnr-2016": framework.load_edition(EDITION)}
CHANNELS = tuple(framework.load_channels())


def validate(content: bytes, suffix: str) -> None:
    """Validate ``content`` as a framework file: built, or FrameworkError naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"framework{suffix}"
        path.write_bytes(content)
        try:
            framework.validate_file(path, EDITIONS, CHANNELS)
        except framework.FrameworkError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.file == str(path)
                assert problem.path and problem.message, problem
            assert str(path) in str(error)


def test_the_shipped_files_are_valid() -> None:
    for path in SHIPPED:
        framework.validate_file(path, EDITIONS, CHANNELS)


# Checking the whole edition takes a tenth of a second or so: fewer examples than elsewhere.
@settings(FUZZ, max_examples=min(FUZZ.max_examples, 20))
@given(
    data=st.data(),
    source=st.sampled_from(sorted(SHIPPED)),
    suffix=st.sampled_from([".yaml", ".json"]),
)
def test_any_spoiled_framework_file_is_built_or_refused_naming_file_and_path(
    data: st.DataObject, source: Path, suffix: str
) -> None:
    document = data.draw(mutated_document(SHIPPED[source]), label="document")
    if suffix == ".json":
        content = json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    else:
        content = yaml.safe_dump(document, allow_unicode=True).encode("utf-8", "surrogatepass")
    if data.draw(st.booleans(), label="spoil the bytes"):
        content = data.draw(spoiled_bytes(content), label="bytes")
    validate(content, suffix)


@pytest.mark.parametrize("levels", [3, 9])
def test_a_yaml_alias_bomb_is_refused_at_once(levels: int) -> None:
    text = EDITION.read_text(encoding="utf-8")
    bomb = billion_laughs(levels).replace("a0:", "laughs:", 1)
    content = bomb + text.replace("choice_lists:\n", f"choice_lists:\n  x: *a{levels}\n", 1)
    started = time.monotonic()
    with pytest.raises(framework.FrameworkError) as refused:
        framework.load_edition(_written(content.encode(), ".yaml"))
    assert time.monotonic() - started < 2
    assert "repeats a whole list or mapping" in str(refused.value)
    assert "line 3, column" in str(refused.value)


def test_a_scalar_alias_is_still_read() -> None:
    text = EDITION.read_text(encoding="utf-8").replace(
        "id: mnr-2016\n", "id: &edition mnr-2016\nx_note: *edition\n", 1
    )
    with pytest.raises(framework.FrameworkError) as refused:
        framework.load_edition(_written(text.encode(), ".yaml"))
    # The alias is read; the key it sits under is what the schema refuses.
    assert "x_note: unknown key" in str(refused.value)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize("opening", ["[", "{"])
def test_deep_nesting_is_refused_clearly(suffix: str, opening: str) -> None:
    # Found by this test: YAML nested this deep raised RecursionError out of the loader.
    validate(nested(20_000, opening).encode(), suffix)
    inner = nested(5_000, opening)
    document = (
        f"kind: edition\nschema: {inner}\n"
        if suffix == ".yaml"
        else (f'{{"kind": "edition", "schema": {inner}}}')
    )
    validate(document.encode(), suffix)


def _written(content: bytes, suffix: str) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / f"edition{suffix}"
    path.write_bytes(content)
    return path
