"""What a browser would post from a form of a page, read from the page's HTML.

Tests use it to send a form back as the user saw it, hidden versions and digests included,
instead of spelling out every field."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.in_form = False
        self.disabled_depth = 0  # fieldsets with ``disabled`` we are inside
        self.fieldsets: list[bool] = []
        self.textarea: str | None = None
        self.text = ""
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and self.form_class in (attributes.get("class") or "").split():
            self.in_form = True
        if not self.in_form:
            return
        if tag == "fieldset":
            disabled = "disabled" in attributes
            self.fieldsets.append(disabled)
            self.disabled_depth += disabled
        elif self.disabled_depth:
            return
        elif tag == "input":
            self._input(attributes)
        elif tag == "textarea" and attributes.get("name"):
            self.textarea, self.text = attributes["name"], ""

    def _input(self, attributes: dict[str, str | None]) -> None:
        name = attributes.get("name")
        if not name:
            return
        kind = attributes.get("type") or "text"
        if kind in ("radio", "checkbox"):
            if "checked" in attributes:
                value = attributes.get("value")
                self.fields.append((name, "on" if value is None else value))
        elif kind not in ("submit", "button"):
            self.fields.append((name, attributes.get("value") or ""))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.in_form:
            return
        if tag == "textarea" and self.textarea is not None:
            # The HTML parser drops one newline right after <textarea>, as browsers do.
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "fieldset" and self.fieldsets:
            self.disabled_depth -= self.fieldsets.pop()
        elif tag == "form":
            self.in_form = False


def form_fields(html: str, form_class: str = "answers") -> dict[str, list[str]]:
    """The fields the form with ``form_class`` posts, as a browser sends them (disabled
    fieldsets send nothing, unticked boxes send nothing)."""
    reader = _FormReader(form_class)
    reader.feed(html)
    posted: dict[str, list[str]] = {}
    for name, value in reader.fields:
        posted.setdefault(name, []).append(value)
    return posted
