"""Narrative blocks are now written in a small markup (mnr.reports.markup). The report used to
number the paragraphs of the call to action itself; this writes that numbering into the stored
texts once, so existing reports keep their numbered list. Texts that already hold a list are
left alone."""

import re
from typing import Any

from django.db import migrations

LIST_ITEM = re.compile(r"^\s*(\d+[.)]|[-*+])\s")


def number_the_paragraphs(text: str) -> str:
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs or any(LIST_ITEM.match(p) for p in paragraphs):
        return text
    return "\n".join(f"{n}. {p}" for n, p in enumerate(paragraphs, start=1))


def forwards(apps: Any, schema_editor: Any) -> None:
    NarrativeBlock = apps.get_model("reports", "NarrativeBlock")
    # The database being migrated, which is not always the default one (mnr restore).
    blocks = NarrativeBlock.objects.using(schema_editor.connection.alias)
    for block in blocks.filter(key="call_to_action"):
        numbered = {lang: number_the_paragraphs(body) for lang, body in block.text.items()}
        if numbered != block.text:
            block.text = numbered
            block.version += 1
            block.save(update_fields=["text", "version"], using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_narrative_and_headline_versions'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
