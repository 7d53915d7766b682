from __future__ import annotations

from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("activities/", views.index, name="index"),
    path("activities/mine/", views.mine, name="mine"),
    path("activities/<int:pk>/", views.detail, name="detail"),
    path("activities/<int:pk>/edit/", views.edit, name="edit"),
    path("activities/<int:pk>/transition/", views.transition, name="transition"),
    path("activities/<int:pk>/sessions/new/", views.session_add, name="session_add"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/register/", views.register, name="register"),
    path("sessions/<int:pk>/register-bulk/", views.register_bulk, name="register_bulk"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("orgs/<int:org_id>/activities/new/", views.create, name="create"),
]
