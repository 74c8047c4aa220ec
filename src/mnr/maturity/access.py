"""Who may see and change a jurisdiction's maturity records. The predicates read role
assignments through ``mnr.accounts.permissions.has_role`` only; actions check them with
``require`` and pages turn a failed check into 404 (may not see) or 403 (may see, not change).

- the profile, consolidated phases, plan and progress of a jurisdiction: its lead's focal
  point (who speaks for the jurisdiction as a whole), and reviewers and analysts whose scope
  covers it;
- overrides: reviewers (administrators hold every role);
- the plan: the jurisdiction's lead focal point edits it;
- consent: the jurisdiction's lead focal point, or an analyst of the round;
- phase distributions over jurisdictions: analysts, only through disclosure control.
"""

from __future__ import annotations

from typing import Any

from mnr.accounts.models import Role
from mnr.accounts.permissions import has_role
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round


def _scope(round_: Round, jurisdiction: Jurisdiction) -> dict[str, Any]:
    return {"jurisdiction_id": jurisdiction.pk, "round_id": round_.pk}


def can_see_maturity(user: Any, round_: Round, jurisdiction: Jurisdiction) -> bool:
    return has_role(
        user, (Role.FOCAL_POINT, Role.REVIEWER, Role.ANALYST), **_scope(round_, jurisdiction)
    )


def can_override(user: Any, round_: Round, jurisdiction: Jurisdiction) -> bool:
    return has_role(user, (Role.REVIEWER,), **_scope(round_, jurisdiction))


def can_edit_plan(user: Any, round_: Round, jurisdiction: Jurisdiction) -> bool:
    return has_role(user, (Role.FOCAL_POINT,), **_scope(round_, jurisdiction))


def can_set_consent(user: Any, round_: Round, jurisdiction: Jurisdiction) -> bool:
    return has_role(user, (Role.FOCAL_POINT, Role.ANALYST), **_scope(round_, jurisdiction))


def can_see_distributions(user: Any, round_: Round) -> bool:
    return has_role(user, (Role.ANALYST,), round_id=round_.pk)
