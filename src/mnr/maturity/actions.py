"""Every change to maturity records goes through these functions: overrides, consent and the
action plan. Each checks permission, runs in one transaction, keeps history and records an
audit event; ``acting_user=None`` is the operator at the command line.

The plan is the proposal (``mnr.core.plan.propose_plan``) until its focal point first changes
it; that first change stores every proposed item, then applies the change, in one transaction.
A writer that read an item passes the version it read; a change against a newer version is
refused with :class:`StalePlanItem` and writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mnr.accounts.permissions import require
from mnr.audit.record import record_event
from mnr.core import plan as core_plan
from mnr.core.framework import PHASE_LEVELS
from mnr.core.limits import text_problem
from mnr.errors import MnrError, unknown
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import access, data, service
from mnr.maturity.models import Consent, PhaseOverride, PlanItem, PlanItemChange
from mnr.surveys.lookups import require_participant
from mnr.surveys.models import Participation, Round

MAX_REASON_LENGTH = 4_000
MAX_OWNER_LENGTH = 200
MAX_NOTES_LENGTH = 20_000
EDITABLE_FIELDS = ("owner", "due", "status", "notes", "target_phase")


def actor_name(acting_user: Any) -> str:
    return "operator" if acting_user is None else str(acting_user.get_username())


def _participant(round_: Round, jurisdiction: Jurisdiction) -> None:
    require_participant(round_, jurisdiction)


def _capability(round_: Round, capability: str) -> None:
    known = [q.capability for q in data.phase_questions(round_)]
    if capability not in known:
        if not known:
            raise MnrError(
                f"round {round_.code} asks no maturity phase (its instrument "
                f"{round_.instrument.code} has no phase question)"
            )
        raise unknown(f"capability of round {round_.code}", capability, known)


def _plan_capability(round_: Round, capability: str) -> None:
    """Plans speak of the edition's capabilities (a merged instrument id such as ``C16-17``
    stands for ``C16`` and ``C17`` there), so an item names one of those."""
    known = sorted({c for q in data.phase_questions(round_) for c in q.crosswalk})
    if not known:
        _capability(round_, capability)  # says the round asks no phase
    if capability not in known:
        raise unknown(f"capability of round {round_.code}", capability, known)


def _text(field: str, value: str, limit: int, *, required: bool) -> str:
    if not isinstance(value, str):
        raise MnrError(f"{field} must be text, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise MnrError(f"{field} is required: say why")
    if len(value) > limit:
        raise MnrError(f"{field} is {len(value)} characters long; at most {limit} are allowed")
    problem = text_problem(field, value)
    if problem:
        raise MnrError(problem)
    return value


def _phase(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in PHASE_LEVELS:
        raise MnrError(f"{what} {value!r} is not a maturity phase; give a whole number from 1 to 4")
    return value


# --- overrides --------------------------------------------------------------------------------


@transaction.atomic
def override_phase(
    round_: Round,
    jurisdiction: Jurisdiction,
    capability: str,
    phase: int | None,
    reason: str,
    *,
    acting_user: Any = None,
    source: str = "cli",
) -> PhaseOverride:
    """Override the consolidated phase (``phase`` None withdraws the override in force).

    The computed phase stays and is shown beside it; the reason is required."""
    require(
        acting_user,
        access.can_override(acting_user, round_, jurisdiction),
        gettext("Only reviewers of %(jurisdiction)s in round %(round)s override its phases.")
        % {"jurisdiction": jurisdiction.code, "round": round_.code},
    )
    _participant(round_, jurisdiction)
    _capability(round_, capability)
    reason = _text("reason", reason, MAX_REASON_LENGTH, required=True)
    if phase is not None:
        phase = _phase(phase, "override phase")
    maturity = data.round_maturity(round_, [jurisdiction.code])
    current = next(result for result in maturity.phases if result.capability == capability)
    if phase is None and current.override is None:
        raise MnrError(
            f"{jurisdiction.code} {capability} in round {round_.code} has no override to withdraw"
        )
    row = PhaseOverride.objects.create(
        round=round_,
        jurisdiction=jurisdiction,
        capability=capability,
        phase=phase,
        computed_phase=current.computed_phase,
        reason=reason,
        by=acting_user,
        by_name=actor_name(acting_user),
    )
    record_event(
        "maturity.override" if phase is not None else "maturity.override_withdrawn",
        row,
        actor=acting_user,
        source=source,
        round=round_.code,
        jurisdiction=jurisdiction.code,
        capability=capability,
        phase=phase,
        computed_phase=current.computed_phase,
    )
    return row


# --- consent ----------------------------------------------------------------------------------


@transaction.atomic
def set_consent(
    round_: Round,
    jurisdiction: Jurisdiction,
    peer_exchange: bool,
    *,
    acting_user: Any = None,
    source: str = "cli",
) -> Consent:
    """Record whether the jurisdiction consents to peer exchange for the round."""
    require(
        acting_user,
        access.can_set_consent(acting_user, round_, jurisdiction),
        gettext(
            "Only the focal point of %(jurisdiction)s or an analyst of round %(round)s records "
            "its consent to peer exchange."
        )
        % {"jurisdiction": jurisdiction.code, "round": round_.code},
    )
    if not isinstance(peer_exchange, bool):
        raise MnrError(f"peer exchange is yes or no, not {peer_exchange!r}")
    _participant(round_, jurisdiction)
    row = Consent.objects.create(
        round=round_,
        jurisdiction=jurisdiction,
        peer_exchange=peer_exchange,
        by=acting_user,
        by_name=actor_name(acting_user),
    )
    record_event(
        "maturity.consent",
        row,
        actor=acting_user,
        source=source,
        round=round_.code,
        jurisdiction=jurisdiction.code,
        peer_exchange=peer_exchange,
    )
    return row


def current_consent(round_: Round, jurisdiction: Jurisdiction) -> Consent | None:
    return (
        Consent.objects.filter(round=round_, jurisdiction=jurisdiction)
        .order_by("-at", "-id")
        .first()
    )


# --- the plan ---------------------------------------------------------------------------------


class StalePlanItem(MnrError):
    """The item changed since the caller read it; nothing of the call was saved."""

    def __init__(self, item: PlanItem, expected: int) -> None:
        self.item = item
        self.expected = expected
        # Who saved the version now stored: a username, or the operator at the command line.
        self.by = by = item.updated_by.get_username() if item.updated_by else "the operator"
        super().__init__(
            f"{item.jurisdiction.code} {item.capability}: the plan item changed since you read "
            f"it (you read version {expected}, it is now version {item.version}, saved by {by}); "
            "reload it and make your change again"
        )


def _require_plan(acting_user: Any, round_: Round, jurisdiction: Jurisdiction) -> None:
    require(
        acting_user,
        access.can_edit_plan(acting_user, round_, jurisdiction),
        gettext(
            "Only the focal point of %(jurisdiction)s edits its action plan for round %(round)s."
        )
        % {"jurisdiction": jurisdiction.code, "round": round_.code},
    )


def _plan_scope(
    acting_user: Any, round_: Round, jurisdiction: Jurisdiction, capability: str
) -> None:
    """What every plan action checks first: who, which jurisdiction, which capability."""
    _require_plan(acting_user, round_, jurisdiction)
    _participant(round_, jurisdiction)
    _plan_capability(round_, capability)


def _item_in_plan(
    round_: Round,
    jurisdiction: Jurisdiction,
    capability: str,
    expected_version: int | None,
    acting_user: Any,
    source: str,
) -> PlanItem:
    """The stored item of a capability in the plan (not dropped), at the version read."""
    item = _stored_items(round_, jurisdiction, acting_user, source).get(capability)
    if item is None or item.dropped:
        raise MnrError(
            f"{capability} is not in the action plan of {jurisdiction.code} for round "
            f"{round_.code}; add it to change it"
        )
    if expected_version is not None and item.version != expected_version:
        raise StalePlanItem(item, expected_version)
    return item


def _stored_items(
    round_: Round, jurisdiction: Jurisdiction, acting_user: Any, source: str
) -> dict[str, PlanItem]:
    """The stored items (locked), storing the proposal first when there are none yet."""
    # Lock the participation first: with no item stored yet there is no row to lock, and two
    # first edits would both store the proposal.
    Participation.objects.select_for_update().get(round=round_, jurisdiction=jurisdiction)
    items = {
        item.capability: item
        for item in PlanItem.objects.select_for_update().filter(
            round=round_, jurisdiction=jurisdiction
        )
    }
    if items:
        return items
    proposal = service.proposed_plan(round_, jurisdiction)
    for proposed in proposal.items:
        items[proposed.capability] = PlanItem.objects.create(
            round=round_,
            jurisdiction=jurisdiction,
            capability=proposed.capability,
            target_phase=proposed.target_phase,
            updated_by=acting_user,
        )
    record_event(
        "plan.store",
        f"plan {round_.code} {jurisdiction.code}",
        actor=acting_user,
        source=source,
        round=round_.code,
        jurisdiction=jurisdiction.code,
        items=[proposed.capability for proposed in proposal.items],
    )
    return items


def _clean_change(field: str, value: Any) -> Any:
    if field == "owner":
        return _text("owner", value, MAX_OWNER_LENGTH, required=False)
    if field == "notes":
        return _text("notes", value, MAX_NOTES_LENGTH, required=False)
    if field == "status":
        if value not in PlanItem.Status.values:
            raise unknown("plan item status", value, PlanItem.Status.values)
        return value
    if field == "due":
        if value is None or isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise MnrError(
                    f"due date {value!r} is not a date; write it as 2027-06-30"
                ) from None
        raise MnrError(f"due date {value!r} is not a date; write it as 2027-06-30")
    if field == "target_phase":
        return _phase(value, "target phase")
    raise MnrError(
        f"a plan item has no field {field!r}; fields that can change: {', '.join(EDITABLE_FIELDS)}"
    )


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _apply(item: PlanItem, changes: Mapping[str, Any], acting_user: Any, source: str) -> list[str]:
    changed = []
    for field, value in changes.items():
        old = getattr(item, field)
        if old == value:
            continue
        PlanItemChange.objects.create(
            item=item,
            field=field,
            old=_shown(old),
            new=_shown(value),
            changed_by=acting_user,
            source=source,
        )
        setattr(item, field, value)
        changed.append(field)
    if changed:
        item.version += 1
        item.updated_by = acting_user
        item.save()
    return changed


def _current_phase(round_: Round, jurisdiction: Jurisdiction, capability: str) -> int | None:
    phases = data.round_maturity(round_, [jurisdiction.code]).jurisdiction_phases(jurisdiction.code)
    return service.edition_phases(round_, phases).get(capability)


@transaction.atomic
def update_plan_item(
    round_: Round,
    jurisdiction: Jurisdiction,
    capability: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> PlanItem:
    """Change an item's owner, due date, status, notes or target phase."""
    _plan_scope(acting_user, round_, jurisdiction, capability)
    cleaned = {field: _clean_change(field, value) for field, value in changes.items()}
    item = _item_in_plan(round_, jurisdiction, capability, expected_version, acting_user, source)
    if "target_phase" in cleaned:
        core_plan.check_target(
            capability, _current_phase(round_, jurisdiction, capability), cleaned["target_phase"]
        )
    changed = _apply(item, cleaned, acting_user, source)
    if changed:
        record_event(
            "plan.item_update",
            item,
            actor=acting_user,
            source=source,
            round=round_.code,
            jurisdiction=jurisdiction.code,
            capability=capability,
            fields=changed,
        )
    return item


@transaction.atomic
def drop_plan_item(
    round_: Round,
    jurisdiction: Jurisdiction,
    capability: str,
    *,
    expected_version: int | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> PlanItem:
    """Take an item out of the plan; it is kept, marked dropped, with its history."""
    _plan_scope(acting_user, round_, jurisdiction, capability)
    item = _item_in_plan(round_, jurisdiction, capability, expected_version, acting_user, source)
    _apply(item, {"dropped": True}, acting_user, source)
    record_event(
        "plan.item_drop",
        item,
        actor=acting_user,
        source=source,
        round=round_.code,
        jurisdiction=jurisdiction.code,
        capability=capability,
    )
    return item


@transaction.atomic
def add_plan_item(
    round_: Round,
    jurisdiction: Jurisdiction,
    capability: str,
    *,
    target_phase: int | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> PlanItem:
    """Put a capability (back) into the plan, by default targeting its next phase."""
    _plan_scope(acting_user, round_, jurisdiction, capability)
    current = _current_phase(round_, jurisdiction, capability)
    target = (current or 0) + 1 if target_phase is None else _phase(target_phase, "target phase")
    core_plan.check_target(capability, current, target)
    items = _stored_items(round_, jurisdiction, acting_user, source)
    item = items.get(capability)
    if item is not None and not item.dropped:
        raise MnrError(
            f"{capability} is in the action plan of {jurisdiction.code} already; change its "
            "target instead"
        )
    if item is None:
        item = PlanItem.objects.create(
            round=round_,
            jurisdiction=jurisdiction,
            capability=capability,
            target_phase=target,
            added=True,
            updated_by=acting_user,
        )
    else:
        _apply(item, {"dropped": False, "target_phase": target}, acting_user, source)
    record_event(
        "plan.item_add",
        item,
        actor=acting_user,
        source=source,
        round=round_.code,
        jurisdiction=jurisdiction.code,
        capability=capability,
        target_phase=target,
    )
    return item
