"""Signal receivers recording sign-ins, sign-outs, failed sign-ins and lockouts, and keeping
the request being served for :mod:`mnr.audit.record`. Connected in ``AuditConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.core import signals as core_signals

from mnr.audit import record


def _request_started(sender: Any, environ: Any = None, **kwargs: Any) -> None:
    if environ is not None:
        record.begin_request(environ)


def _request_finished(sender: Any, **kwargs: Any) -> None:
    record.end_request()


def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record.record_access(record.SIGN_IN, user, actor=user, request=request)


def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # signing out when the session had already ended
        return
    record.record_access(record.SIGN_OUT, user, actor=user, request=request)


def tried_username(credentials: dict[str, Any]) -> str:
    """The name a failed sign-in tried; never the password or any other secret given."""
    name = credentials.get(get_user_model().USERNAME_FIELD, credentials.get("username", ""))
    return str(name or "")[:150]


def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = tried_username(credentials)
    record.record_access(
        record.SIGN_IN_FAILED,
        "auth.user",
        actor=None,
        request=request,
        object_id=username,
        username=username,
    )


def _locked_out(sender: Any, request: Any = None, username: Any = None, **kwargs: Any) -> None:
    name = str(username or "")[:150]
    record.record_access(
        record.LOCKED_OUT, "auth.user", actor=None, request=request, object_id=name, username=name
    )


def connect() -> None:
    uid = "mnr.audit"
    core_signals.request_started.connect(_request_started, dispatch_uid=f"{uid}.started")
    core_signals.request_finished.connect(_request_finished, dispatch_uid=f"{uid}.finished")
    auth_signals.user_logged_in.connect(_signed_in, dispatch_uid=f"{uid}.in")
    auth_signals.user_logged_out.connect(_signed_out, dispatch_uid=f"{uid}.out")
    auth_signals.user_login_failed.connect(_sign_in_failed, dispatch_uid=f"{uid}.failed")
    # django-axes, when it is an installed app (its signals module loads its models and
    # connects its own receivers, so it is not imported otherwise).
    if apps.is_installed("axes"):
        from axes.signals import user_locked_out

        user_locked_out.connect(_locked_out, dispatch_uid=f"{uid}.locked_out")
