"""The report editor's form read as a browser reads it, so tests post back what a user would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, Any] = {}
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None

    def _add(self, name: str, value: str) -> None:
        # A name checked more than once (checkboxes of one field) is sent once per value.
        if name in self.fields:
            before = self.fields[name]
            self.fields[name] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            self.fields[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes:
                self.fields[self._select] = value
            return
        name = attributes.get("name")
        if not name:
            return
        if tag == "select":
            self._select, self._first_option = name, None
        elif tag == "textarea":
            self._textarea, self._text = name, []
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self._add(name, attributes.get("value") or "on")
            elif kind not in ("submit", "button"):
                self.fields[name] = attributes.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            # As a browser does: with no option selected, the first one is sent.
            self.fields.setdefault(self._select, self._first_option or "")
            self._select = None
        if tag == "textarea" and self._textarea is not None:
            value = "".join(self._text)
            # As the HTML parser does: a newline right after <textarea> is not content.
            self.fields[self._textarea] = value.removeprefix("\n")
            self._textarea = None


def editor_fields(response: Any) -> dict[str, Any]:
    """The fields of the editor page's form with the values a browser would send."""
    assert response.status_code == 200, response.status_code
    parser = _FormFields()
    parser.feed(response.content.decode())
    parser.fields.pop("csrfmiddlewaretoken", None)
    return parser.fields


def textarea(response: Any, element_id: str) -> str:
    """The text a textarea shows, found by its id (readonly ones included)."""
    page = response.content.decode()
    start = page.index(f'id="{element_id}"')
    opening_end = page.index(">", start) + 1
    parser = _FormFields()
    parser.feed(f'<textarea name="x">{page[opening_end : page.index("</textarea>", start)]}')
    parser.feed("</textarea>")
    return parser.fields["x"]
