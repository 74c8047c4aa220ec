"""Add translations to framework files (editions, instruments, channels) without reformatting them.

Translators work on a *compendium*: a YAML mapping from the exact English text of a label to its
translations, for example

    "Leadership": {fr: "Leadership", es: "Liderazgo"}

Run from the repository root:

    .venv/bin/python scripts/framework_translations.py missing --lang fr,es FILE...
        prints a compendium of the English texts that lack a language, to fill in;
    .venv/bin/python scripts/framework_translations.py merge --compendium FILE.yaml FILE...
        adds the compendium's texts beside each label's ``en`` in the files, in place.

``merge`` keeps each file's hand-written layout and comments: a flow label ``{en: "…"}`` becomes
``{en: "…", fr: "…", es: "…"}``, a block label gets sibling keys under its ``en:``. A language
a label already has is left alone (the compendium never overwrites). French texts get the
non-breaking space of French typography before ``? ! : ;`` and inside « » guillemets.

Before writing, ``merge`` checks that the files say exactly the same in English: each file read
through ``mnr.core.framework``, before and after, with labels reduced to English, is identical.
It lists every label it could not translate; nothing is written when a check fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from mnr.core import framework as core

NBSP = "\u00a0"
_FRENCH_SPACE = re.compile(r" ([?!:;»])")
_FRENCH_OPENING = re.compile(r"« ")

Compendium = dict[str, dict[str, str]]


def french_spaces(value: str) -> str:
    """A non-breaking space before ? ! : ; » and after «, where the text has a plain space."""
    return _FRENCH_OPENING.sub("«" + NBSP, _FRENCH_SPACE.sub(NBSP + r"\1", value))


def read_compendia(paths: Sequence[Path], languages: Sequence[str]) -> Compendium:
    """The compendia's translations by English text; the first compendium wins a conflict."""
    merged: Compendium = {}
    for path in paths:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(document, dict):
            raise SystemExit(f"{path}: expected a mapping of English texts to translations")
        for english, translations in document.items():
            if not isinstance(translations, dict):
                raise SystemExit(f"{path}: {english!r}: expected a mapping such as {{fr: …}}")
            entry = merged.setdefault(str(english), {})
            for lang in languages:
                value = str(translations.get(lang) or "").strip()
                if not value:
                    continue
                if lang == "fr":
                    value = french_spaces(value)
                if lang in entry and entry[lang] != value:
                    print(
                        f"{path}: {english!r}: {lang} {value!r} differs from {entry[lang]!r} "
                        "given earlier; keeping the earlier one",
                        file=sys.stderr,
                    )
                    continue
                entry[lang] = value
    return merged


def _is_label_node(node: yaml.Node) -> bool:
    if not isinstance(node, yaml.MappingNode):
        return False
    keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
    values_are_text = all(isinstance(value, yaml.ScalarNode) for _, value in node.value)
    return "en" in keys and values_are_text and core.is_label({key: "" for key in keys})


def _label_nodes(node: yaml.Node) -> list[yaml.MappingNode]:
    if _is_label_node(node):
        assert isinstance(node, yaml.MappingNode)
        return [node]
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [value for _, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    return [label for child in children for label in _label_nodes(child)]


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def add_translations(
    content: str, compendium: Compendium, languages: Sequence[str], file: str
) -> tuple[str, list[str]]:
    """The file's text with the compendium's translations added, and what was left untranslated
    (``file: path: message``)."""
    root = yaml.compose(content, Loader=yaml.SafeLoader)
    if root is None:
        return content, []
    inserts: list[tuple[int, str]] = []
    untranslated: list[str] = []
    paths = {id(label): path for path, label in _node_paths(root, "")}
    for node in _label_nodes(root):
        present = {key.value: value.value for key, value in node.value}
        english = present["en"]
        known = compendium.get(english, {})
        added = [(lang, known[lang]) for lang in languages if lang not in present and lang in known]
        lacking = [lang for lang in languages if lang not in present and lang not in known]
        if lacking:
            untranslated.append(
                f"{file}: {paths[id(node)]}: no {', '.join(lacking)} for {english!r}"
            )
        if not added:
            continue
        last_value = node.value[-1][1]
        position = last_value.end_mark.index
        if node.flow_style:
            inserts.append(
                (position, "".join(f", {lang}: {_quoted(value)}" for lang, value in added))
            )
            continue
        indent = " " * node.value[0][0].start_mark.column
        lines = [f"{indent}{lang}: {_quoted(value)}" for lang, value in added]
        if content[position - 1] == "\n":  # a block scalar (>-, |) ends at the next line
            inserts.append((position, "".join(line + "\n" for line in lines)))
        else:
            inserts.append((position, "".join("\n" + line for line in lines)))
    for position, addition in sorted(inserts, reverse=True):
        content = content[:position] + addition + content[position:]
    return content, untranslated


def _node_paths(node: yaml.Node, path: str) -> list[tuple[str, yaml.Node]]:
    found = [(path or "(top level)", node)]
    if isinstance(node, yaml.MappingNode) and not _is_label_node(node):
        for key, value in node.value:
            found += _node_paths(value, f"{path}.{key.value}" if path else str(key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            found += _node_paths(value, f"{path}[{index}]")
    return [(p, n) for p, n in found]


# --- The English check -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A loaded framework object as plain data, for comparison."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _loaded(document: dict[str, Any], editions: Mapping[str, core.Edition], file: str) -> Any:
    kind = document.get("kind")
    if kind == "edition":
        return core.edition_from_document(document, source=file)
    if kind == "instrument":
        channels = core.load_channels()
        return core.instrument_from_document(document, editions, channels, source=file)
    return document  # a channel list is read as it is


def check_english_unchanged(before: str, after: str, file: str) -> list[str]:
    """Problems if ``after`` differs from ``before`` in anything but its translations."""
    old, new = yaml.safe_load(before), yaml.safe_load(after)
    if core.english_only(old) != core.english_only(new):
        return [f"{file}: the merge changed more than translations (a bug in this script)"]
    editions = dict(core.load_shipped()[0])
    problems = []
    try:
        old_loaded = core.english_only(_plain(_loaded(old, editions, file)))
        new_loaded = core.english_only(_plain(_loaded(new, editions, file)))
    except core.FrameworkError as error:
        return [str(problem) for problem in error.problems]
    if old_loaded != new_loaded:
        problems.append(f"{file}: read through mnr.core.framework, the English differs")
    return problems


# --- Commands ----------------------------------------------------------------------------------


def _languages(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def missing(files: Sequence[Path], languages: Sequence[str]) -> int:
    template: Compendium = {}
    for path in files:
        for _, label in core.labels_in(core.read_document(path)):
            lacking = [lang for lang in languages if not label.get(lang)]
            if lacking:
                entry = template.setdefault(label["en"], {})
                entry.update({lang: "" for lang in lacking})
    sys.stdout.write(yaml.safe_dump(template, allow_unicode=True, sort_keys=False, width=1000))
    print(f"{len(template)} English texts lack {', '.join(languages)}", file=sys.stderr)
    return 0


def merge(compendia: Sequence[Path], files: Sequence[Path], languages: Sequence[str]) -> int:
    compendium = read_compendia(compendia, languages)
    results: list[tuple[Path, str]] = []
    problems: list[str] = []
    untranslated: list[str] = []
    for path in files:
        before = path.read_text(encoding="utf-8")
        after, left = add_translations(before, compendium, languages, str(path))
        untranslated += left
        problems += check_english_unchanged(before, after, str(path))
        results.append((path, after))
    for line in untranslated:
        print(line, file=sys.stderr)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    for path, after in results:
        path.write_text(after, encoding="utf-8")
    print(
        f"merged into {len(results)} files; {len(untranslated)} labels left untranslated",
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    find = sub.add_parser("missing", help="print a compendium of the texts lacking a language")
    find.add_argument("--lang", type=_languages, default=["fr", "es"])
    find.add_argument("files", nargs="+", type=Path)
    add = sub.add_parser("merge", help="add a compendium's translations to files, in place")
    add.add_argument("--lang", type=_languages, default=["fr", "es"])
    add.add_argument(
        "--compendium",
        action="append",
        type=Path,
        required=True,
        dest="compendia",
        help="a compendium file (repeat for several; the first wins a conflict)",
    )
    add.add_argument("files", nargs="+", type=Path)
    arguments = parser.parse_args(argv)
    if arguments.command == "missing":
        return missing(arguments.files, arguments.lang)
    return merge(arguments.compendia, arguments.files, arguments.lang)


if __name__ == "__main__":
    sys.exit(main())
