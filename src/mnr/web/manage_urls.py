from django.urls import path

from mnr.web import manage

urlpatterns = [
    path("", manage.manage_home, name="manage"),
    path("users/", manage.users, name="manage-users"),
    path("users/<int:pk>/", manage.user_roles, name="manage-user"),
    path("users/<int:pk>/active/", manage.user_active, name="manage-user-active"),
    path(
        "invitations/<int:pk>/withdraw/",
        manage.withdraw_invitation,
        name="manage-invitation-withdraw",
    ),
    path("roles/<int:pk>/revoke/", manage.revoke, name="manage-role-revoke"),
    path("rounds/", manage.rounds, name="manage-rounds"),
    path("rounds/<slug:code>/", manage.round_page, name="manage-round"),
    path("phases/", manage.phases, name="manage-phases"),
]
