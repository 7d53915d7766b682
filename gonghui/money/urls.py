from __future__ import annotations

from django.urls import path

from . import views

app_name = "money"

urlpatterns = [
    path("orgs/<int:org_id>/money/", views.envelopes, name="envelopes"),
    path("orgs/<int:org_id>/money/applications/", views.applications, name="applications"),
    path("orgs/<int:org_id>/money/campaigns/", views.campaigns, name="campaigns"),
    path("money/applications/<int:pk>/approve/", views.approve, name="approve"),
    path("money/applications/<int:pk>/reject/", views.reject, name="reject"),
]
