"""Two-factor sign-in: a TOTP device (an authenticator app on a phone) and ten single-use
recovery codes, both django-otp devices; who must have it; the actions that change it."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from mnr.accounts.models import Role
from mnr.accounts.permissions import assignments, is_administrator, require
from mnr.audit.record import record_event
from mnr.errors import MnrError

RECOVERY_CODES = 10
# The roles that see many jurisdictions' answers or manage the platform.
REQUIRED_ROLES = frozenset({Role.ADMINISTRATOR, Role.ANALYST, Role.REVIEWER})
_APP_NAME = "authenticator"
_RECOVERY_NAME = "recovery codes"


def is_required(user: Any) -> bool:
    """Whether ``user`` must sign in with two-factor: with MNR_REQUIRE_TWO_FACTOR (production),
    administrators, analysts, reviewers and whoever may enter Django's admin."""
    if not getattr(settings, "MNR_REQUIRE_TWO_FACTOR", False) or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_staff) or any(
        a.role in REQUIRED_ROLES for a in assignments(user)
    )


def is_enabled(user: Any) -> bool:
    """Whether ``user`` has a confirmed authenticator app (recovery codes alone do not count)."""
    return bool(
        user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


_SETUP_KEY = "mnr_two_factor_setup_key"


def setup_device(request: HttpRequest) -> TOTPDevice:
    """The authenticator app being set up, not stored yet: its secret is kept in the session
    until the first code confirms it (so that reloading the page keeps the QR code, and a
    set-up given up leaves nothing behind)."""
    key = request.session.get(_SETUP_KEY)
    if not key:
        key = request.session[_SETUP_KEY] = default_key()
    return TOTPDevice(user=request.user, name=_APP_NAME, key=key, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code, drawn here (no script, no
    third-party service, no style attribute)."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        border=4,
        light="#fff",
        omitsize=True,
        title=gettext("QR code for your authenticator app"),
    )
    return svg.replace("<svg ", '<svg role="img" class="qr-code" ', 1)


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _devices_for(code: str) -> type[TOTPDevice] | type[StaticDevice]:
    # Six digits are the app's; anything else is a recovery code (eight letters and digits).
    # Trying a code only on its own kind of device keeps a recovery code from counting as a
    # wrong app code (and the other way round) in django-otp's throttling.
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    )
    return model


def verify_code(user: Any, code: str) -> Device | None:
    """The device that accepts ``code`` (a current code of the app, or an unused recovery code,
    which is used up), or None. django-otp throttles each device: after a wrong code the next
    try waits 1, 2, 4 … seconds, and a code during the wait is refused even when right."""
    code = _clean(code)
    if not code:
        return None
    with transaction.atomic():
        devices = _devices_for(code).objects.select_for_update().filter(user=user, confirmed=True)
        for device in devices:
            if device.verify_token(code):
                return device
    return None


def throttled_until(user: Any, code: str) -> Any:
    """When the device ``code`` is for accepts codes again after wrong ones, or None if it
    does now."""
    device = _devices_for(_clean(code)).objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    allowed, data = device.verify_is_allowed()
    return None if allowed else (data or {}).get("locked_until")


def code_failed(request: HttpRequest, user: Any) -> None:
    """A wrong two-factor code at sign-in counts as a failed sign-in: Django's
    ``user_login_failed`` signal, which django-axes counts towards the lockout (and the audit
    log records), with ``credentials={"username": …, "two_factor": True}``."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "two_factor": True},
        request=request,
    )


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _wrong_code() -> MnrError:
    return MnrError(
        gettext(
            "That code is not right: enter the six digits your authenticator app shows now "
            "(or one of your recovery codes)."
        )
    )


@transaction.atomic
def enable_two_factor(request: HttpRequest, code: str, *, source: str = "web") -> TOTPDevice:
    """Store the app being set up (``setup_device``) once its first code is right; it
    replaces an earlier app, and ten new recovery codes replace earlier ones (kept on the
    request as ``request.mnr_recovery_codes``, to be shown once). Returns the device."""
    user: Any = request.user
    device = setup_device(request)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    try:
        right = totp.verify(int(_clean(code)), device.tolerance)
    except ValueError:
        right = False
    if not right:
        raise MnrError(
            gettext(
                "That code is not right: enter the six digits your authenticator app shows "
                "now for mnr (check that the phone's clock is right)."
            )
        )
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.last_t = totp.t()
    device.save()
    del request.session[_SETUP_KEY]
    request.mnr_recovery_codes = _new_recovery_codes(user)  # type: ignore[attr-defined]
    record_event("two_factor.enable", user, actor=user, source=source)
    return device


@transaction.atomic
def regenerate_recovery_codes(user: Any, code: str, *, source: str = "web") -> list[str]:
    """Ten new recovery codes in place of the old ones, for a current code of the app."""
    if not is_enabled(user):
        raise MnrError(gettext("Set up two-factor first."))
    if verify_code(user, code) is None:
        raise _wrong_code()
    codes = _new_recovery_codes(user)
    record_event("two_factor.recovery_codes", user, actor=user, source=source)
    return codes


@transaction.atomic
def disable_two_factor(user: Any, code: str, *, source: str = "web") -> None:
    """Turn two-factor off, for a current code (or a recovery code)."""
    if not is_enabled(user):
        raise MnrError(gettext("Two-factor is not on."))
    if verify_code(user, code) is None:
        raise _wrong_code()
    _remove_devices(user)
    record_event("two_factor.disable", user, actor=user, source=source)


@transaction.atomic
def reset_two_factor(user: Any, *, acting_user: Any = None, source: str = "cli") -> bool:
    """An administrator's reset for someone who lost their phone and recovery codes: their
    app and codes are removed; they sign in with their password and set two-factor up again
    (where it is required, before anything else). False when they had none."""
    require(
        acting_user,
        is_administrator(acting_user),
        gettext("Only administrators reset two-factor."),
    )
    had = _remove_devices(user)
    if had:
        record_event(
            "two_factor.reset", user, actor=acting_user, source=source, user=user.get_username()
        )
    return had


def _remove_devices(user: Any) -> bool:
    removed = bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return removed
