from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("orgs/<int:org_id>/reports/", views.dashboard, name="dashboard"),
    path("orgs/<int:org_id>/campaigns/", views.campaigns, name="campaigns"),
    path("orgs/<int:org_id>/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/targets/", views.campaign_target, name="campaign_target"),
]
