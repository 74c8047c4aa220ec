"""What a round's report says, stored with the round and edited by analysts: which findings it
headlines and how, and its narrative blocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Headline(models.Model):
    """One figure the report headlines, with the rule that produces it.

    ``population`` is a rule of ``mnr.core.findings`` (``all``, ``income=HIC``,
    ``channel=unicef_country_office``, ``all;then income!=HIC`` …) and ``counts_as`` the answer
    codes counted, so the same question can be told as the share with a capability or without
    it. ``subject`` and ``statement`` make the sentence: "<share> of <subject> (<figures>)
    <statement>."
    """

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="headlines")
    key = models.SlugField(max_length=40, help_text="Stable id, e.g. F01; anchors the annex row.")
    position = models.PositiveIntegerField()
    # The domain section it appears in; empty for the key findings at the top.
    domain = models.CharField(max_length=20, blank=True)
    question = models.CharField(max_length=60)
    counts_as = models.JSONField(default=list)
    population = models.CharField(max_length=100, default="all")
    subject = models.JSONField(default=dict, blank=True)
    statement = models.JSONField(default=dict)
    # Shown as a large call-out number in its section as well as in the text.
    callout = models.BooleanField(default=False)
    # The analyst's choice of proportion phrase (a key of the phrase table, e.g.
    # "over three-quarters"); empty: the table's default for the share.
    phrase = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["round", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="headline_key")]

    def __str__(self) -> str:
        return f"{self.round.code} {self.key} {self.question}"


class NarrativeBlock(models.Model):
    # In the order the report (and the editor) shows them.
    class Key(models.TextChoices):
        # The round's title as the report's cover and page headers give it, one line in each
        # language (the round's own title, which the rest of the app shows, is one text).
        TITLE = "title", _("Title")
        ACKNOWLEDGEMENTS = "acknowledgements", _("Acknowledgements")
        INTRODUCTION = "introduction", _("Introduction")
        AIMS = "aims", _("Aims of the report")
        KEY_MESSAGES = "key_messages", _("Key messages")
        # The round as a whole, after the domains: what stands in the way across capabilities.
        CHALLENGES = "challenges", _("Challenges")
        # A numbered list of the priorities, each item opening with its title.
        CALL_TO_ACTION = "call_to_action", _("Call to action: the priorities")
        CLOSING = "closing", _("Closing text")

    round = models.ForeignKey(
        "surveys.Round", on_delete=models.CASCADE, related_name="narrative_blocks"
    )
    key = models.CharField(max_length=30, choices=Key.choices)
    # {"en": "...", "fr": "..."}: each text as the analyst typed it, in the markup of
    # mnr.reports.markup (paragraphs separated by blank lines, lists, emphasis, links).
    text = models.JSONField(default=dict)
    # +1 on every change of any language; an editor that loaded an older version is refused.
    # A block not stored yet counts as version 0.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["round", "key"]
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="one_block_per_key")]

    def __str__(self) -> str:
        return f"{self.round.code} {self.key}"


class ReportSettings(models.Model):
    round = models.OneToOneField(
        "surveys.Round", on_delete=models.CASCADE, related_name="report_settings"
    )
    # Capabilities left out of the snapshot figure (legislation: its answers do not aggregate).
    snapshot_exclude = models.JSONField(default=list, blank=True)
    # +1 each time the headline set is replaced: the editor saves the headlines it loaded only
    # while this is unchanged. No settings stored yet counts as version 0.
    headlines_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.round.code} report settings"
