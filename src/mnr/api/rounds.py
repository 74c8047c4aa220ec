"""Rounds: their settings and participants, and the analysts' changes to them (the same
actions as ``mnr round`` and the round's management page).

Anonymous callers see published rounds only; reading a round one may not see is not found
(404), changing one one may see but not manage is refused (403)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from mnr.api.auth import signed_in
from mnr.api.errors import COMMON_ERRORS, ApiError, ErrorDetail
from mnr.api.pagination import Page, Paging, paginate
from mnr.errors import MnrError
from mnr.jurisdictions import codes
from mnr.publications.access import visible_publications
from mnr.surveys import actions
from mnr.surveys.access import can_see_jurisdiction_data, get_round_for_user
from mnr.surveys.models import Round
from mnr.surveys.summary import round_settings, round_summary

router = Router(tags=["rounds"])

SYNTHETIC_NOTE = "Synthetic data: this round is a demonstration, not a real review."


class InstrumentRef(Schema):
    code: str
    version: int


class RoundOut(Schema):
    code: str
    title: str
    status: str
    instrument: InstrumentRef
    channels: list[str] = Field(description="channel codes in priority order")
    opens_on: date | None
    closes_on: date | None
    income_fiscal_year: int = Field(description="World Bank fiscal year of the income groups")
    disclosure_threshold: int = Field(
        description="smallest group shown to callers without jurisdiction-level access"
    )
    synthetic: bool = Field(description="true for demonstration data, which is not real")
    synthetic_note: str | None = Field(
        description="for a synthetic round, the sentence saying so; null for a real one"
    )


class ParticipantOut(Schema):
    jurisdiction: str
    name: str
    income_group: str
    region: str


class ParticipantsOut(Schema):
    round: str
    synthetic: bool
    publication: int | None = Field(
        description="the publication the list is from (what the public sees); null: the live "
        "list, for callers who see the round's jurisdiction-level data"
    )
    participants: list[ParticipantOut]


class ParticipantsAdded(ParticipantsOut):
    added: list[str] = Field(description="codes of the jurisdictions this call added")


class _Strict(Schema):
    # A misspelt field is refused (422 naming it), never silently ignored.
    model_config = ConfigDict(extra="forbid")


class RoundIn(_Strict):
    code: str = Field(
        min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$", description="a slug"
    )
    instrument: str = Field(description="instrument code; its newest loaded version is used")
    title: str = ""
    channels: list[str] | None = Field(
        None, description="in priority order; default: the instrument's channels"
    )
    income_fiscal_year: int = 2021
    synthetic: bool = False


class RoundChange(_Strict):
    title: str | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    disclosure_threshold: int | None = None


class StatusIn(_Strict):
    status: str = Field(description="draft, open or closed (publish with POST …/publications)")


class ParticipantsIn(_Strict):
    jurisdictions: list[str] = Field(
        min_length=1,
        description="ISO 3166-1 alpha-2, alpha-3 or numeric codes, or a non-country code",
    )


def _round(round_: Round) -> dict[str, Any]:
    return {
        **round_settings(round_),
        "synthetic_note": SYNTHETIC_NOTE if round_.synthetic else None,
    }


def _participants(user: Any, round_: Round) -> dict[str, Any]:
    """Who takes part: the live list for those who see the round's jurisdiction-level data;
    for everyone else the list of its latest publication, as its report names them. Before a
    round is published its other participants are not the caller's to know (the web app shows
    focal points their number only)."""
    if can_see_jurisdiction_data(user, round_):
        return {
            "round": round_.code,
            "synthetic": round_.synthetic,
            "publication": None,
            "participants": round_summary(round_)["participants"],
        }
    latest = visible_publications(user, round_).order_by("-number").first()
    if latest is None:
        raise PermissionDenied(
            gettext(
                "Round %(code)s is not published yet: its participants are listed for its "
                "analysts and reviewers until then."
            )
            % {"code": round_.code}
        )
    return {
        "round": round_.code,
        "synthetic": round_.synthetic,
        "publication": latest.number,
        "participants": latest.round_settings["participants"],
    }


@router.get("/rounds", response={200: Page[RoundOut], **COMMON_ERRORS})
def list_rounds(request: HttpRequest, paging: Query[Paging]) -> Any:
    """The rounds the caller may see (anonymous callers: published rounds)."""
    rows = Round.objects.visible_to(request.user).select_related("instrument")
    return paginate(rows, paging, _round)


@router.get("/rounds/{code}", response={200: RoundOut, **COMMON_ERRORS})
def get_round(request: HttpRequest, code: str) -> Any:
    """One round's settings."""
    return _round(get_round_for_user(request.user, code))


@router.get("/rounds/{code}/participants", response={200: ParticipantsOut, **COMMON_ERRORS})
def list_round_participants(request: HttpRequest, code: str) -> Any:
    """The round's participants with their income group and region."""
    return _participants(request.user, get_round_for_user(request.user, code))


@router.post("/rounds", response={201: RoundOut, **COMMON_ERRORS})
def create_round(request: HttpRequest, payload: RoundIn) -> Any:
    """Create a round, as a draft (analysts and administrators)."""
    user = signed_in(request)
    round_ = actions.create_round(
        payload.code,
        instrument=payload.instrument,
        title=payload.title,
        channels=payload.channels,
        income_fiscal_year=payload.income_fiscal_year,
        synthetic=payload.synthetic,
        acting_user=user,
        source="api",
    )
    return Status(201, _round(round_))


@router.patch("/rounds/{code}", response={200: RoundOut, **COMMON_ERRORS})
def update_round(request: HttpRequest, code: str, payload: RoundChange) -> Any:
    """Change the round's title, dates or disclosure threshold; fields left out stay."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code, manage=True)
    actions.update_round(
        round_,
        title=payload.title,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        disclosure_threshold=payload.disclosure_threshold,
        acting_user=user,
        source="api",
    )
    return _round(round_)


@router.put("/rounds/{code}/status", response={200: RoundOut, **COMMON_ERRORS})
def set_round_status(request: HttpRequest, code: str, payload: StatusIn) -> Any:
    """Open, close or reopen the round, or put it back to draft."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code, manage=True)
    if payload.status == Round.Status.PUBLISHED:
        # Publishing freezes a snapshot; a status alone would publish nothing.
        raise ApiError(
            400,
            "rejected",
            f"a round is published by POST /api/v1/rounds/{round_.code}/publications, which "
            "freezes its validated findings; this status is draft, open or closed",
            [ErrorDetail(field="body.payload.status", message="published is set by publishing")],
        )
    try:
        actions.set_round_status(round_, payload.status, acting_user=user, source="api")
    except MnrError as error:
        raise ApiError(
            400,
            "rejected",
            str(error),
            [ErrorDetail(field="body.payload.status", message=str(error))],
        ) from error
    return _round(round_)


@router.post("/rounds/{code}/participants", response={200: ParticipantsAdded, **COMMON_ERRORS})
def add_round_participants(request: HttpRequest, code: str, payload: ParticipantsIn) -> Any:
    """Make jurisdictions participants of the round; those taking part already stay."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code, manage=True)
    try:
        resolved = codes.resolve_all(payload.jurisdictions, where="jurisdictions")
    except MnrError as error:
        raise ApiError(
            400,
            "rejected",
            str(error),
            [ErrorDetail(field="body.payload.jurisdictions", message=str(error))],
        ) from error
    added = actions.add_participants(round_, resolved, acting_user=user, source="api")
    return {
        **_participants(user, round_),
        "added": [participation.jurisdiction.code for participation in added],
    }
