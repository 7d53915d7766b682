from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("orgs/<int:org_id>/users/", views.users, name="users"),
    path("grants/<int:pk>/revoke/", views.revoke, name="revoke"),
]
