"""Scoped querysets: every list of rounds or submissions goes through ``visible_to(user)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Q

from mnr.accounts.permissions import ALL_ROLES, assignments, is_administrator, scope_filter

if TYPE_CHECKING:
    # Named in the QuerySet[...] strings below, which linters do not read as annotations.
    from mnr.surveys.models import Round, Submission  # noqa: F401


class RoundQuerySet(models.QuerySet["Round"]):
    def visible_to(self, user: Any) -> RoundQuerySet:
        """Rounds a user may open: all for administrators; for others, rounds their assignments
        name or in which a jurisdiction they are assigned to takes part; anonymous visitors see
        rounds that have a publication (and only its aggregates)."""
        if is_administrator(user):
            return self.all()
        published = Q(publications__isnull=False)
        mine = assignments(user)
        if not mine:
            return self.filter(published).distinct()
        condition = published
        for a in mine:
            if a.round_id is None and a.jurisdiction_id is None:
                return self.all()
            part = Q()
            if a.round_id is not None:
                part &= Q(pk=a.round_id)
            if a.jurisdiction_id is not None:
                part &= Q(participations__jurisdiction_id=a.jurisdiction_id)
            condition |= part
        return self.filter(condition).distinct()

    def annotate_counts(self) -> RoundQuerySet:
        return self.annotate(participant_count=Count("participations", distinct=True))


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: Any) -> SubmissionQuerySet:
        """Submissions within the (round, jurisdiction, respondent, channel) scope of any of the
        user's roles."""
        condition = scope_filter(
            user, ALL_ROLES, respondent_field="respondent", channel_field="channel"
        )
        return self.all() if condition is None else self.filter(condition)
