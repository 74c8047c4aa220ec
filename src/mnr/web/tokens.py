"""The "API tokens" page of a signed-in user: their personal tokens for scripts, listed, made
and revoked through the actions of ``mnr.api.tokens``.

A new token's text is in the response to the form that made it and nowhere else: it is not
stored (only its digest is), not put in the session for a redirect, and no later page can show
it again; that response is marked not to be cached."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from django import forms
from mnr.api.models import ApiToken
from mnr.api.tokens import create_token, revoke_token
from mnr.errors import MnrError
from mnr.web.action_messages import shown


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, such as the script that uses it."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Optional: the token stops working at the end of this day (UTC). Without a date it "
            "works until you revoke it."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _end_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day + timedelta(days=1), time.min, UTC)


def _page(
    request: HttpRequest, form: TokenForm, new_token: str | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user  # signed in (login_required)
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
    response = render(
        request,
        "web/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=status,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """GET: the list and the form; POST: make a token and show its text, this once."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, text = create_token(
                request.user,
                form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=_end_of(form.cleaned_data["expires_on"]),
                acting_user=request.user,
                source="web",
            )
        except MnrError as error:
            form.add_error("expires_on" if form.cleaned_data["expires_on"] else None, shown(error))
        else:
            return _page(request, TokenForm(), new_token=text)
    return _page(request, form, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    """GET, or a POST without ``confirmed``: the confirmation; a POST with it: revoke. Another
    user's token is not found, as on the rest of the site."""
    user: Any = request.user
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    if request.method == "GET" or request.POST.get("confirmed") != "yes":
        return render(request, "web/token_revoke.html", {"token": token})
    try:
        revoke_token(token, acting_user=request.user, source="web")
    except MnrError as error:
        messages.error(request, shown(error))
    else:
        messages.success(
            request,
            _("The token %(name)s (%(prefix)s…) is revoked: it no longer works.")
            % {"name": token.name, "prefix": token.prefix},
        )
    return redirect("api-tokens")
