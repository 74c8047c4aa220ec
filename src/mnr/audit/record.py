"""Recording audit events.

Changes are recorded by action functions, inside their transaction (:func:`record_event`).
Access is recorded where it happens: sign-ins and their failures by the receivers of
``mnr.audit.receivers``, downloads and exports by the views that send the file
(:func:`record_download`), and reads of a jurisdiction's answers by someone outside it by the
access helpers that fetch them (:func:`record_read`).

The address of the request being served is known here without the request itself: the
receiver of ``request_started`` keeps its WSGI environ for the duration of the request
(:func:`serving`), so helpers that are given only a user still record where the read came
from, and a page that reads the same jurisdiction twice records it once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import models

from mnr.audit.models import AuditEvent

Kind = AuditEvent.Kind

# Verbs of access events (change events keep their actions' verbs, "round.publish", …).
SIGN_IN = "access.sign_in"
SIGN_OUT = "access.sign_out"
SIGN_IN_FAILED = "access.sign_in_failed"
LOCKED_OUT = "access.locked_out"
READ = "access.read"
DOWNLOAD = "access.download"
EXPORT = "access.export"
READING_METHODS = ("GET", "HEAD")
ACCESS_VERBS = (SIGN_IN, SIGN_OUT, SIGN_IN_FAILED, LOCKED_OUT, READ, DOWNLOAD, EXPORT)


@dataclass
class _Serving:
    environ: Mapping[str, Any]
    reads: set[tuple[Any, ...]] = field(default_factory=set)


_serving: ContextVar[_Serving | None] = ContextVar("mnr_audit_serving", default=None)


def begin_request(environ: Mapping[str, Any]) -> None:
    _serving.set(_Serving(environ))


def end_request() -> None:
    _serving.set(None)


@contextmanager
def serving(environ: Mapping[str, Any]) -> Iterator[None]:
    """Record as if serving a request with ``environ`` (``REMOTE_ADDR``, ``PATH_INFO``)."""
    token = _serving.set(_Serving(environ))
    try:
        yield
    finally:
        _serving.reset(token)


def _meta(request: Any) -> Mapping[str, Any] | None:
    if request is not None:
        return getattr(request, "META", None)
    current = _serving.get()
    return current.environ if current is not None else None


def client_address(request: Any = None) -> str:
    """The client's address: the one the sign-in protection (django-axes, behind a proxy
    configured there) sees when it is installed, else ``REMOTE_ADDR``; blank outside a request."""
    if request is not None and getattr(request, "axes_ip_address", None):
        return str(request.axes_ip_address)
    meta = _meta(request)
    if meta is None:
        return ""
    if apps.is_installed("axes"):
        from axes.helpers import get_client_ip_address

        address = get_client_ip_address(request or SimpleNamespace(META=meta))
        if address:
            return str(address)[:64]
    return str(meta.get("REMOTE_ADDR") or "")[:64]


def _source(request: Any) -> str:
    meta = _meta(request)
    if meta is None:
        return "cli"
    return "api" if str(meta.get("PATH_INFO", "")).startswith("/api/") else "web"


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _create(
    verb: str,
    object_type: str,
    object_id: str,
    *,
    actor: Any,
    source: str,
    kind: str,
    address: str,
    detail: dict[str, Any],
    username: str = "",
) -> AuditEvent:
    user = _user(actor)
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user is not None else username[:150],
        source=source,
        kind=kind,
        verb=verb,
        object_type=object_type,
        object_id=object_id[:100],
        address=address,
        detail=detail,
    )


def _target_key(target: models.Model | str) -> tuple[str, str]:
    if isinstance(target, str):
        return target, ""
    return target._meta.label_lower, str(target.pk)


def record_event(
    verb: str,
    target: models.Model | str,
    *,
    actor: Any,
    source: str = "web",
    **detail: Any,
) -> AuditEvent:
    """Record the change ``verb`` on ``target``: a model instance, or the name of what was
    changed when it is not one object (``"reference-data"``)."""
    return _create(
        verb,
        *_target_key(target),
        actor=actor,
        source=source,
        kind=Kind.CHANGE,
        address=client_address(),
        detail=detail,
    )


def record_access(
    verb: str,
    target: models.Model | str,
    *,
    actor: Any,
    request: Any = None,
    object_id: str | None = None,
    username: str = "",
    **detail: Any,
) -> AuditEvent:
    """Record the access ``verb`` (one of :data:`ACCESS_VERBS`) of ``target`` by ``actor``
    (None or anonymous: nobody signed in; ``username``: the name tried), with the client's
    address and the source (web, api, cli) of the request being served."""
    object_type, target_id = _target_key(target)
    return _create(
        verb,
        object_type,
        target_id if object_id is None else object_id,
        actor=actor,
        source=_source(request),
        kind=Kind.ACCESS,
        address=client_address(request),
        detail=detail,
        username=username,
    )


def record_download(
    request: Any, target: models.Model | str, *, what: str, filename: str, **detail: Any
) -> AuditEvent:
    """A file sent to whoever asked (anonymous visitors of public files included)."""
    return record_access(
        DOWNLOAD,
        target,
        actor=request.user,
        request=request,
        what=what,
        filename=filename,
        **detail,
    )


def record_export(
    request: Any, round_: models.Model, *, exporter: str, format: str, filename: str, **detail: Any
) -> AuditEvent:
    """A registered export of a round sent to whoever asked."""
    return record_access(
        EXPORT,
        round_,
        actor=request.user,
        request=request,
        exporter=exporter,
        format=format,
        filename=filename,
        **detail,
    )


def is_outsider(user: Any, jurisdiction_id: int) -> bool:
    """Whether a signed-in user reading the jurisdiction's data holds no focal-point role for
    it (analysts, reviewers, administrators, focal points of other jurisdictions). A focal
    point of every jurisdiction (no jurisdiction in the assignment) is an outsider too."""
    from mnr.accounts.models import Role
    from mnr.accounts.permissions import assignments

    return not any(
        a.role == Role.FOCAL_POINT and a.jurisdiction_id == jurisdiction_id
        for a in assignments(user)
    )


def record_read(
    user: Any,
    jurisdiction: Any,
    what: str,
    *,
    target: models.Model | None = None,
    request: Any = None,
    **detail: Any,
) -> AuditEvent | None:
    """Record that ``user`` read ``what`` (``"submission"``, ``"maturity"``) of
    ``jurisdiction`` (about ``target``, the jurisdiction itself by default) when the user is an
    outsider (:func:`is_outsider`); once per request for the same thing, and only when the
    request reads (GET or HEAD). The operator at the command line (``user`` None) and the
    jurisdiction's own focal points are not recorded."""
    if _user(user) is None or not is_outsider(user, jurisdiction.pk):
        return None
    about = target if target is not None else jurisdiction
    current = _serving.get()
    if current is not None:
        # A POST is a change (recorded by its action, or refused); the page it reads before
        # was recorded when it was opened.
        if current.environ.get("REQUEST_METHOD", "GET") not in READING_METHODS:
            return None
        key = (user.pk, what, *_target_key(about))
        if key in current.reads:
            return None
        current.reads.add(key)
    meta = _meta(request)
    path = str(meta.get("PATH_INFO", "")) if meta is not None else ""
    return record_access(
        READ,
        about,
        actor=user,
        request=request,
        what=what,
        jurisdiction=jurisdiction.code,
        path=path,
        **detail,
    )


def record_round_read(
    user: Any, round_: models.Model, jurisdictions: Iterable[Any], what: str, **detail: Any
) -> AuditEvent | None:
    """Record one read of several jurisdictions' data of ``round_`` (a list of consolidated
    phases, …) naming those the user is outside of (:func:`is_outsider`), once per request; none
    when the user is outside none of them."""
    if _user(user) is None:
        return None
    outside = sorted(j.code for j in jurisdictions if is_outsider(user, j.pk))
    if not outside:
        return None
    current = _serving.get()
    if current is not None:
        if current.environ.get("REQUEST_METHOD", "GET") not in READING_METHODS:
            return None
        key = (user.pk, what, *_target_key(round_))
        if key in current.reads:
            return None
        current.reads.add(key)
    return record_access(READ, round_, actor=user, what=what, jurisdictions=outside, **detail)
