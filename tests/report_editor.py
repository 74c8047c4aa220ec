"""The report editor's form read as a browser reads it, so tests post back what a user would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if not name:
            return
        if tag == "textarea":
            self._textarea, self._text = name, []
        elif tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields[name] = attributes.get("value") or "on"
            elif kind not in ("submit", "button"):
                self.fields[name] = attributes.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            value = "".join(self._text)
            # As the HTML parser does: a newline right after <textarea> is not content.
            self.fields[self._textarea] = value.removeprefix("\n")
            self._textarea = None


def editor_fields(response: Any) -> dict[str, str]:
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
