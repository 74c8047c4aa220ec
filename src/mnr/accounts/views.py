"""Signed-in users' security pages: two-factor set-up, the code after the password, recovery
codes, turning two-factor off, and changing the password."""

from __future__ import annotations

from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView, redirect_to_login
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from mnr.accounts import two_factor
from mnr.accounts.forms import CodeForm, FirstCodeForm
from mnr.accounts.lockout import forget_failures, lockout_response
from mnr.audit.record import record_event
from mnr.errors import MnrError


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _refuse(form: Form, error: MnrError) -> None:
    form.add_error("code", str(error))


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "enabled": two_factor.is_enabled(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "form": CodeForm(),
        },
    )


def _recovery_codes_page(request: HttpRequest, codes: list[str], **context: Any) -> HttpResponse:
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request), **context}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: its QR code and secret, confirmed by the first code it shows;
    then the recovery codes, once."""
    user = request.user
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.enable_two_factor(request, form.cleaned_data["code"])
        except MnrError as error:
            _refuse(form, error)
        else:
            django_otp.login(request, device)
            request.session.cycle_key()
            return _recovery_codes_page(request, request.mnr_recovery_codes, first=True)  # type: ignore[attr-defined]
    device = two_factor.setup_device(request)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_for_typing(device),
            "required": two_factor.is_required(user),
            "replacing": two_factor.is_enabled(user),
            "next": _next(request),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code of the app, or a recovery code (used up). A wrong
    code counts as a failed sign-in towards the lockout."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_verified() or not two_factor.is_enabled(user):  # type: ignore[attr-defined]
        return redirect(_next(request))
    if AxesProxyHandler.is_locked(request, {"username": user.get_username()}):
        logout(request)
        return lockout_response(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Asked before trying: a wrong code starts a wait, which is not what this one met.
        until = two_factor.throttled_until(user, form.cleaned_data["code"])
        with transaction.atomic():
            device = two_factor.verify_code(user, form.cleaned_data["code"])
            if device is not None:
                record_event(
                    "two_factor.verify",
                    user,
                    actor=user,
                    source="web",
                    method="recovery_code" if isinstance(device, StaticDevice) else "app",
                )
        if device is not None:
            forget_failures(user)
            django_otp.login(request, device)
            request.session.cycle_key()
            return redirect(_next(request))
        two_factor.code_failed(request, user)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return lockout_response(request)
        if until is not None:
            form.add_error(
                "code",
                _("Too many wrong codes: wait until %(time)s UTC, then enter the code shown then.")
                % {"time": f"{until:%H:%M:%S}"},
            )
        else:
            form.add_error(
                "code",
                _(
                    "That code is not right: enter the six digits your authenticator app shows "
                    "now (or one of your recovery codes)."
                ),
            )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = two_factor.regenerate_recovery_codes(request.user, form.cleaned_data["code"])
        except MnrError as error:
            messages.error(request, str(error))
        else:
            return _recovery_codes_page(request, codes, first=False)
    else:
        messages.error(request, _("Enter a current code to make new recovery codes."))
    return redirect("security")


@never_cache
@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.disable_two_factor(request.user, form.cleaned_data["code"])
        except MnrError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Two-factor is off."))
    else:
        messages.error(request, _("Enter a current code to turn two-factor off."))
    return redirect("security")


class PasswordChange(PasswordChangeView):
    """Django's, checked by the password validators, with an audit event."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("security")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            user: Any = self.request.user
            record_event("user.password_change", user, actor=user)
        messages.success(self.request, _("Your password is changed."))
        return response
