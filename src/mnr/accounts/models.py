"""Roles as data: who may do what, for which jurisdiction and which round."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mnr.core.respondents import LEAD, MAX_RESPONDENT_LENGTH


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    REVIEWER = "reviewer", _("Reviewer")
    FOCAL_POINT = "focal_point", _("Focal point")


class RoleAssignment(models.Model):
    """A role for a user, limited to one jurisdiction and/or one round when those are set.

    An empty jurisdiction or round means every jurisdiction or every round. A focal point always
    has a jurisdiction (enforced by a constraint): they speak for one jurisdiction only. A focal
    point's ``respondent`` limits them to that respondent's submissions of the jurisdiction;
    blank (the lead's focal point) means every respondent of the jurisdiction. A focal point's
    ``channel`` limits them to the submissions that arrive through that channel (a focal point
    of the government does not fill in the UNICEF country office's submission); blank means
    every channel of the round. Other roles have neither respondent nor channel.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.CASCADE
    )
    round = models.ForeignKey("surveys.Round", null=True, blank=True, on_delete=models.CASCADE)
    respondent = models.SlugField(max_length=MAX_RESPONDENT_LENGTH, blank=True, default=LEAD)
    channel = models.CharField(max_length=60, blank=True, default="")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction", "round", "respondent", "channel"],
                name="one_assignment_per_scope",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~models.Q(role="focal_point") | models.Q(jurisdiction__isnull=False),
                name="focal_point_has_jurisdiction",
            ),
            models.CheckConstraint(
                condition=models.Q(role="focal_point") | models.Q(respondent=LEAD),
                name="respondent_only_for_focal_points",
            ),
            models.CheckConstraint(
                condition=models.Q(role="focal_point") | models.Q(channel=""),
                name="channel_only_for_focal_points",
            ),
        ]

    def __str__(self) -> str:
        scope = [
            s
            for s in (
                self.jurisdiction_id and str(self.jurisdiction),
                self.round_id and str(self.round),
                self.respondent,
                self.channel,
            )
            if s
        ]
        return f"{self.user} {self.role} {' '.join(scope) or '(all)'}"


class Invitation(models.Model):
    """An administrator's invitation to sign up, with the roles the new user will hold.

    The emailed link carries a signed token naming the invitation; it works once (``accepted_at``)
    and until ``expires_at``."""

    email = models.EmailField()
    # Role codes; every one is granted with the same jurisdiction, round, respondent and channel.
    roles = models.JSONField(default=list)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", null=True, blank=True, on_delete=models.CASCADE
    )
    round = models.ForeignKey("surveys.Round", null=True, blank=True, on_delete=models.CASCADE)
    respondent = models.SlugField(max_length=MAX_RESPONDENT_LENGTH, blank=True, default=LEAD)
    channel = models.CharField(max_length=60, blank=True, default="")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({', '.join(self.roles)})"
