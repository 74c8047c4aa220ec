"""Maturity in the API: consolidated phases, a jurisdiction's profile, its action plan and
plan items (versioned: ``ETag``/``If-Match``), reviewers' overrides, consent to peer exchange,
consenting peers, and progress across rounds.

Who may see and change what is ``mnr.maturity.access``, as on the web pages: reads go through
``mnr.maturity.service`` (404 for whoever may not see a jurisdiction's maturity), writes
through ``mnr.maturity.actions`` with ``source="api"``. Nothing here is public: every endpoint
needs a signed-in caller. Jurisdictions are listed by code, never ordered by maturity.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from mnr.api.auth import signed_in
from mnr.api.errors import COMMON_ERRORS, VERSIONED_WRITE_ERRORS, ApiError, ErrorDetail
from mnr.api.pagination import Page, Paging, paginate
from mnr.api.versions import expected_version, set_etag, stale
from mnr.audit.record import record_round_read
from mnr.core.plan import PlanItem as ProposedItem
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import access, actions, data, service
from mnr.maturity.models import PlanItem
from mnr.surveys.access import get_round_for_user
from mnr.surveys.models import Round

router = Router(tags=["maturity"])

# A proposed item is served as version 1, as the plan page does: the first change stores the
# proposal at version 1, so a writer who read the proposal is refused once someone changed it.
PROPOSAL_VERSION = 1
Language = Literal["en", "fr", "es"]
Group = Literal["income-group", "region"]
PlanStatus = Literal["open", "in_progress", "done"]


# --- schemas ----------------------------------------------------------------------------------


class OverrideIn(Schema):
    """A reviewer's phase (1 to 4) with the reason, or ``withdraw: true`` for the one in force."""

    model_config = ConfigDict(extra="forbid")

    capability: str
    phase: int | None = Field(None, ge=1, le=4, description="1 to 4; leave out to withdraw")
    withdraw: StrictBool = False
    reason: str


class OverrideShown(Schema):
    phase: int
    reason: str
    by: str
    at: str


class ConsolidatedOut(Schema):
    capability: str
    phase: int | None = Field(description="the override's phase where overridden")
    computed_phase: int | None = Field(description="lower median of the respondents' phases")
    respondents: int
    range: int | None
    override: OverrideShown | None


class JurisdictionPhasesOut(Schema):
    jurisdiction: str
    capabilities: list[ConsolidatedOut]


class AgreementOut(Schema):
    overall: float | None
    capabilities: dict[str, float | None]


class RoundMaturityOut(Schema):
    round: str
    jurisdictions: list[JurisdictionPhasesOut] = Field(
        description="the jurisdictions the caller may see, by code (never ranked)"
    )
    agreement: AgreementOut = Field(
        description="Krippendorff's alpha (ordinal) over the jurisdictions listed"
    )


class OverrideOut(Schema):
    round: str
    jurisdiction: str
    capability: str
    phase: int | None = Field(description="null: the override in force was withdrawn")
    computed_phase: int | None
    reason: str
    by: str
    at: datetime.datetime
    consolidated: ConsolidatedOut


class PhaseNameOut(Schema):
    level: int
    name: str


class ProfileOut(Schema):
    """What ``mnr profile --format json`` prints."""

    round: str
    round_title: str
    synthetic: bool
    jurisdiction: str
    name: str
    lang: str
    phases: list[PhaseNameOut]
    previous_round: str | None
    domains: list[dict[str, Any]]
    strengths: list[str]
    gaps: list[str]
    spread: list[str]
    summary: list[str]
    group: dict[str, Any] | None = Field(
        description="the phases of its income group or region, through disclosure control"
    )
    robustness: dict[str, Any] = Field(
        description="each domain score's 5th-95th percentile range under other reasonable "
        "choices (respondent rule, capability weights, aggregation) and the choice that matters "
        "most, from the jurisdiction's own phases; domains in framework order"
    )


class PlanItemOut(Schema):
    capability: str
    current_phase: int | None
    target_phase: int
    target: str
    steps: list[str]
    depends_on: list[str]
    owner: str | None
    due: datetime.date | None
    status: str
    notes: str
    added: bool = Field(description="added by a user rather than proposed")
    stored: bool = Field(description="false while the plan is the proposal nobody edited")
    version: int = Field(description="send it back as If-Match to change or drop the item")
    updated_at: datetime.datetime | None
    updated_by: str | None


class PlanOut(Schema):
    round: str
    jurisdiction: str
    proposal: bool = Field(description="true while nobody has edited the plan")
    editable: bool = Field(description="whether the caller may edit it")
    items: list[PlanItemOut]


class PlanItemChangeIn(Schema):
    """The fields to change; a field left out stays as it is, ``null`` clears it."""

    model_config = ConfigDict(extra="forbid")

    owner: str | None = Field(None, max_length=actions.MAX_OWNER_LENGTH)
    due: datetime.date | None = Field(None, description="a date, such as 2027-06-30")
    status: PlanStatus | None = None
    notes: str | None = Field(None, max_length=actions.MAX_NOTES_LENGTH)
    target_phase: int | None = Field(None, ge=1, le=4)


class PlanItemAddIn(Schema):
    model_config = ConfigDict(extra="forbid")

    capability: str
    target_phase: int | None = Field(
        None, ge=1, le=4, description="default: the phase after its current one"
    )


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    peer_exchange: StrictBool = Field(
        description="true: peers at a lower phase may learn this jurisdiction's phases"
    )


class ConsentOut(Schema):
    round: str
    jurisdiction: str
    peer_exchange: bool | None = Field(description="null: never asked (nothing is shared)")
    by: str | None
    at: datetime.datetime | None
    may_set: bool = Field(description="whether the caller may record consent")


class PeerOut(Schema):
    jurisdiction: str
    name: str
    phase: int


class PeersQuery(Schema):
    capability: str = Field(description="a capability of the round, such as C01")


class ProfileQuery(Schema):
    lang: Language = "en"
    group: Group | None = Field(None, description="add the phases of its income group or region")


class PlanQuery(Schema):
    lang: Language = "en"


class CapabilityProgressOut(Schema):
    capability: str
    phases: dict[str, int | None] = Field(description="phase by round code")
    change: int | None = Field(description="the last round's phase minus the first's")


class ProgressOut(Schema):
    jurisdiction: str
    rounds: list[str]
    capabilities: list[CapabilityProgressOut]


class ProgressQuery(Schema):
    rounds: str = Field(description="round codes in order, comma-separated: R1,R2[,…]")


# --- lookups ----------------------------------------------------------------------------------


def _target(request: HttpRequest, code: str, jurisdiction_code: str) -> tuple[Any, Round, Any]:
    """The caller, the round and one of its jurisdictions whose maturity the caller may see
    (else 404, as on the web pages)."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code)
    jurisdiction = Jurisdiction.objects.filter(
        code=jurisdiction_code, participations__round=round_
    ).first()
    if jurisdiction is None:
        raise Http404(f"No jurisdiction {jurisdiction_code!r} in round {round_.code}")
    service.require_maturity_view(user, round_, jurisdiction)
    service.require_phases(round_)
    return user, round_, jurisdiction


def _item_out(proposed: ProposedItem, row: PlanItem | None) -> dict[str, Any]:
    return {
        **proposed.to_json(),
        "due": proposed.due,
        "notes": row.notes if row else "",
        "added": row.added if row else False,
        "stored": row is not None,
        "version": row.version if row else PROPOSAL_VERSION,
        "updated_at": row.updated_at if row else None,
        "updated_by": (
            (row.updated_by.get_username() if row.updated_by else "operator") if row else None
        ),
    }


def _plan_items(
    user: Any, round_: Round, jurisdiction: Jurisdiction, lang: str = "en"
) -> list[dict[str, Any]]:
    plan = service.plan_for(round_, jurisdiction, lang=lang, user=user)
    stored = service.stored_items(round_, jurisdiction)
    return [_item_out(item, stored.get(item.capability)) for item in plan.items]


def _plan_item(
    user: Any, round_: Round, jurisdiction: Jurisdiction, capability: str
) -> dict[str, Any] | None:
    """The item of ``capability`` in the plan (the proposal's, while not stored), or None."""
    return next(
        (
            item
            for item in _plan_items(user, round_, jurisdiction)
            if item["capability"] == capability
        ),
        None,
    )


def _existing_item(
    user: Any, round_: Round, jurisdiction: Jurisdiction, capability: str
) -> dict[str, Any]:
    item = _plan_item(user, round_, jurisdiction, capability)
    if item is None:
        raise Http404(
            f"{capability} is not in the action plan of {jurisdiction.code} for round {round_.code}"
        )
    return item


def _stale(
    user: Any, round_: Round, jurisdiction: Jurisdiction, error: actions.StalePlanItem
) -> ApiError:
    capability = error.item.capability
    current = _plan_item(user, round_, jurisdiction, capability)
    return stale(
        _jsonable(current) if current else {"capability": capability, "dropped": True},
        sent=error.expected,
        stored=error.item.version,
        field=capability,
    )


def _jsonable(item: dict[str, Any]) -> dict[str, Any]:
    return PlanItemOut(**item).model_dump(mode="json")


def _served(response: HttpResponse, item: dict[str, Any]) -> dict[str, Any]:
    set_etag(response, item["version"])
    return item


# --- consolidated phases, overrides, profile --------------------------------------------------


@router.get("/rounds/{code}/maturity", response={200: RoundMaturityOut, **COMMON_ERRORS})
def get_round_maturity(request: HttpRequest, code: str) -> Any:
    """Consolidated phases of every jurisdiction the caller may see, by code, with agreement."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code)
    service.require_phases(round_)
    seen = [
        j
        for j in Jurisdiction.objects.filter(participations__round=round_).order_by("code")
        if access.can_see_maturity(user, round_, j)
    ]
    if not seen:
        raise Http404(f"No maturity record of round {round_.code} for you")
    record_round_read(user, round_, seen, "maturity")
    return data.round_maturity(round_, [j.code for j in seen]).to_json()


@router.post(
    "/rounds/{code}/jurisdictions/{jurisdiction}/overrides",
    response={201: OverrideOut, **COMMON_ERRORS},
)
def override_phase(request: HttpRequest, code: str, jurisdiction: str, payload: OverrideIn) -> Any:
    """A reviewer overrides a consolidated phase with a reason, or withdraws the override."""
    user, round_, place = _target(request, code, jurisdiction)
    if payload.withdraw == (payload.phase is not None):
        raise ApiError(
            422,
            "invalid",
            "Give either a phase (1 to 4) or withdraw: true, not both and not neither.",
            [ErrorDetail(field="body.payload.phase", message="a phase, or withdraw: true")],
        )
    row = actions.override_phase(
        round_,
        place,
        payload.capability,
        payload.phase,
        payload.reason,
        acting_user=user,
        source="api",
    )
    consolidated = next(
        result
        for result in data.round_maturity(round_, [place.code]).phases
        if result.capability == payload.capability
    )
    return Status(
        201,
        {
            "round": round_.code,
            "jurisdiction": place.code,
            "capability": row.capability,
            "phase": row.phase,
            "computed_phase": row.computed_phase,
            "reason": row.reason,
            "by": row.by_name,
            "at": row.at,
            "consolidated": consolidated.to_json(),
        },
    )


@router.get(
    "/rounds/{code}/jurisdictions/{jurisdiction}/profile",
    response={200: ProfileOut, **COMMON_ERRORS},
)
def get_profile(
    request: HttpRequest, code: str, jurisdiction: str, query: Query[ProfileQuery]
) -> Any:
    """The jurisdiction's maturity profile, as ``mnr profile --format json`` gives it."""
    user, round_, place = _target(request, code, jurisdiction)
    return service.profile(round_, place, lang=query.lang, user=user, group=query.group)


# --- the action plan --------------------------------------------------------------------------


@router.get(
    "/rounds/{code}/jurisdictions/{jurisdiction}/plan", response={200: PlanOut, **COMMON_ERRORS}
)
def get_plan(request: HttpRequest, code: str, jurisdiction: str, query: Query[PlanQuery]) -> Any:
    """The action plan with its items (the proposal while nobody has edited it)."""
    user, round_, place = _target(request, code, jurisdiction)
    items = _plan_items(user, round_, place, query.lang)
    return {
        "round": round_.code,
        "jurisdiction": place.code,
        "proposal": not service.stored_items(round_, place),
        "editable": access.can_edit_plan(user, round_, place),
        "items": items,
    }


@router.get(
    "/rounds/{code}/jurisdictions/{jurisdiction}/plan/items/{capability}",
    response={200: PlanItemOut, **COMMON_ERRORS},
)
def get_plan_item(
    request: HttpRequest, response: HttpResponse, code: str, jurisdiction: str, capability: str
) -> Any:
    """One item of the plan, its version as ``ETag``."""
    user, round_, place = _target(request, code, jurisdiction)
    return _served(response, _existing_item(user, round_, place, capability))


@router.patch(
    "/rounds/{code}/jurisdictions/{jurisdiction}/plan/items/{capability}",
    response={200: PlanItemOut, **VERSIONED_WRITE_ERRORS},
)
def update_plan_item(
    request: HttpRequest,
    response: HttpResponse,
    code: str,
    jurisdiction: str,
    capability: str,
    payload: PlanItemChangeIn,
) -> Any:
    """Change an item's owner, due date, status, notes or target phase (If-Match required)."""
    user, round_, place = _target(request, code, jurisdiction)
    changes = payload.model_dump(exclude_unset=True)
    if not changes:
        raise ApiError(
            422,
            "invalid",
            "Nothing to change: give one or more of " + ", ".join(actions.EDITABLE_FIELDS) + ".",
            [ErrorDetail(field="body.payload", message="no field given")],
        )
    for text_field in ("owner", "notes"):
        if text_field in changes and changes[text_field] is None:
            changes[text_field] = ""
    if changes.get("target_phase", 0) is None:
        raise ApiError(
            422,
            "invalid",
            "target_phase cannot be cleared: give a phase from 1 to 4.",
            [ErrorDetail(field="body.payload.target_phase", message="null is no phase")],
        )
    current = _plan_item(user, round_, place, capability)
    expected = expected_version(request, stored=current["version"] if current else 0)
    try:
        actions.update_plan_item(
            round_,
            place,
            capability,
            changes,
            expected_version=expected,
            acting_user=user,
            source="api",
        )
    except actions.StalePlanItem as error:
        raise _stale(user, round_, place, error) from error
    return _served(response, _existing_item(user, round_, place, capability))


@router.post(
    "/rounds/{code}/jurisdictions/{jurisdiction}/plan/items",
    response={201: PlanItemOut, **COMMON_ERRORS},
)
def add_plan_item(
    request: HttpRequest,
    response: HttpResponse,
    code: str,
    jurisdiction: str,
    payload: PlanItemAddIn,
) -> Any:
    """Put a capability (back) into the plan, by default targeting its next phase."""
    user, round_, place = _target(request, code, jurisdiction)
    actions.add_plan_item(
        round_,
        place,
        payload.capability,
        target_phase=payload.target_phase,
        acting_user=user,
        source="api",
    )
    return Status(201, _served(response, _existing_item(user, round_, place, payload.capability)))


@router.delete(
    "/rounds/{code}/jurisdictions/{jurisdiction}/plan/items/{capability}",
    response={200: PlanItemOut, **VERSIONED_WRITE_ERRORS},
)
def drop_plan_item(request: HttpRequest, code: str, jurisdiction: str, capability: str) -> Any:
    """Take an item out of the plan (If-Match required); it is kept, marked dropped."""
    user, round_, place = _target(request, code, jurisdiction)
    current = _plan_item(user, round_, place, capability)
    expected = expected_version(request, stored=current["version"] if current else 0)
    try:
        row = actions.drop_plan_item(
            round_, place, capability, expected_version=expected, acting_user=user, source="api"
        )
    except actions.StalePlanItem as error:
        raise _stale(user, round_, place, error) from error
    assert current is not None  # the action refuses an item that is not in the plan
    # Dropped, the item is no longer in the plan: what it was, at the version that dropped it.
    return {
        **current,
        "stored": True,
        "version": row.version,
        "updated_at": row.updated_at,
        "updated_by": user.get_username(),
    }


# --- consent and peers ------------------------------------------------------------------------


def _consent_out(user: Any, round_: Round, jurisdiction: Jurisdiction) -> dict[str, Any]:
    consent = actions.current_consent(round_, jurisdiction)
    return {
        "round": round_.code,
        "jurisdiction": jurisdiction.code,
        "peer_exchange": consent.peer_exchange if consent else None,
        "by": consent.by_name if consent else None,
        "at": consent.at if consent else None,
        "may_set": access.can_set_consent(user, round_, jurisdiction),
    }


@router.get(
    "/rounds/{code}/jurisdictions/{jurisdiction}/consent",
    response={200: ConsentOut, **COMMON_ERRORS},
)
def get_consent(request: HttpRequest, code: str, jurisdiction: str) -> Any:
    """The jurisdiction's consent to peer exchange in force, with who gave it and when."""
    user, round_, place = _target(request, code, jurisdiction)
    return _consent_out(user, round_, place)


@router.put(
    "/rounds/{code}/jurisdictions/{jurisdiction}/consent",
    response={200: ConsentOut, **COMMON_ERRORS},
)
def set_consent(request: HttpRequest, code: str, jurisdiction: str, payload: ConsentIn) -> Any:
    """Record whether the jurisdiction consents to peer exchange (its focal point, analysts)."""
    user, round_, place = _target(request, code, jurisdiction)
    actions.set_consent(round_, place, payload.peer_exchange, acting_user=user, source="api")
    return _consent_out(user, round_, place)


@router.get(
    "/rounds/{code}/jurisdictions/{jurisdiction}/peers",
    response={200: Page[PeerOut], **COMMON_ERRORS},
)
def list_peers(
    request: HttpRequest,
    code: str,
    jurisdiction: str,
    query: Query[PeersQuery],
    paging: Query[Paging],
) -> Any:
    """Jurisdictions at a higher phase of a capability that consented to peer exchange, by
    code; nothing about one without consent."""
    user, round_, place = _target(request, code, jurisdiction)
    found = service.peers(round_, place, query.capability, user=user)
    return paginate(found, paging, lambda peer: peer)


# --- progress ---------------------------------------------------------------------------------


@router.get("/jurisdictions/{jurisdiction}/progress", response={200: ProgressOut, **COMMON_ERRORS})
def get_progress(request: HttpRequest, jurisdiction: str, query: Query[ProgressQuery]) -> Any:
    """The jurisdiction's phase per capability in each round given, and the change."""
    user = signed_in(request)
    given = [round_code.strip() for round_code in query.rounds.split(",") if round_code.strip()]
    if len(given) < 2 or len(set(given)) != len(given):
        raise ApiError(
            422,
            "invalid",
            "rounds needs two or more different round codes in order, separated by commas (R1,R2).",
            [ErrorDetail(field="query.rounds", message="two or more different round codes")],
        )
    place = Jurisdiction.objects.filter(code=jurisdiction).first()
    if place is None:
        raise Http404(f"No jurisdiction {jurisdiction!r}")
    rounds = [get_round_for_user(user, round_code) for round_code in given]
    return service.progress_for(place, rounds, user=user).to_json()
