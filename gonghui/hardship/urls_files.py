"""URLs of the files and their workflow: one URL per step, so each has its own name (and its own
rows in the authorization matrix, tests/authz/matrix_hardship.txt)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("orgs/<int:org_id>/hardship/", views.index, name="index"),
    path("orgs/<int:org_id>/hardship/new/", views.create, name="create"),
    path("hardship/files/<int:pk>/", views.detail, name="detail"),
    path("hardship/files/<int:pk>/edit/", views.edit, name="edit"),
    path("hardship/files/<int:pk>/aid/", views.aid, name="file_aid"),
    *(path(f"hardship/files/<int:pk>/{a.replace('_', '-')}/", views.step, {"action": a}, name=f"file_{a}") for a in views.STEPS),
    path("hardship/members/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("hardship/conflicts/", views.conflicts, name="conflicts"),
    path("hardship/conflicts/<int:pk>/resolve/", views.conflict_resolve, name="conflict_resolve"),
    path("hardship/standards/", views.standards, name="standards"),
]
