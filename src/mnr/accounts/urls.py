from django.urls import path

from mnr.accounts import views

urlpatterns = [
    path("accounts/security/", views.security, name="security"),
    path("accounts/password/", views.PasswordChange.as_view(), name="password-change"),
    path("accounts/two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("accounts/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        views.recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("accounts/two-factor/turn-off/", views.two_factor_disable, name="two-factor-disable"),
]
