"""The markup analysts type into a report's narrative blocks, and how it is stored and rendered.

A narrative text is stored as the analyst wrote it. :func:`clean_text` changes only what a
browser or an operating system adds on the way: line endings become ``\\n`` and whitespace at
the very end of the text is dropped (a textarea often ends with a newline the writer never
meant). Inner blank lines, indentation and trailing spaces inside the text are kept, because
they carry the markup.

The markup is a small part of CommonMark (rendered by markdown-it-py, the same for the HTML and
the PDF report): paragraphs separated by a blank line, bulleted (``-``, ``*``, ``+``) and
numbered (``1.``) lists, ``*emphasis*``, ``**strong**``, ```code```, links
``[words](https://…)`` and ``<https://…>``, backslash escapes and a hard line break. Raw HTML is
never passed through (it is shown as typed), links to ``javascript:`` and similar are not
made, and headings, images and tables are left out: the report owns its headings, and it must
open offline without fetching anything.
"""

from __future__ import annotations

import hashlib

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from mnr.core.limits import text_problem
from mnr.errors import MnrError

MAX_NARRATIVE_LENGTH = 20_000
"""Characters in one narrative block in one language (a report's longest block is about 2,000)."""

_RULES = ["list", "emphasis", "link", "autolink", "escape", "entity", "newline", "backticks"]
_MARKDOWN = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    _RULES
)


def clean_text(text: str, *, where: str = "narrative") -> str:
    """``text`` as it is stored: LF line endings, no whitespace at the very end.

    Raises :class:`MnrError` naming ``where`` for text that cannot be stored (too long, NUL
    characters, lone surrogates)."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if len(cleaned) > MAX_NARRATIVE_LENGTH:
        raise MnrError(
            f"{where}: the text is {len(cleaned)} characters long; at most "
            f"{MAX_NARRATIVE_LENGTH} are allowed, shorten it"
        )
    problem = text_problem("text", cleaned)
    if problem:
        raise MnrError(f"{where}: {problem}")
    return cleaned


def digest(text: str) -> str:
    """A short fingerprint of a cleaned text, so a form can say which text it was loaded with
    without sending it twice."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def html_blocks(text: str) -> list[str]:
    """The rendered HTML of each top-level block of ``text`` (a paragraph or a whole list),
    each a :class:`SafeString` (escaped and marked safe, so templates print it as it is); an
    empty list for an empty text."""
    tokens = _MARKDOWN.parse(text)
    blocks: list[str] = []
    start = 0
    for index, token in enumerate(tokens):
        if token.level == 0 and token.nesting <= 0:
            blocks.append(_render(tokens[start : index + 1]))
            start = index + 1
    return blocks


def _render(tokens: list[Token]) -> SafeString:
    # markdown-it escapes every text and attribute it writes and, with "html" off, renders
    # no HTML the writer typed: the output is safe by construction.
    html: str = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return mark_safe(html.strip())
