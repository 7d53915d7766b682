"""URLs of the statistics part: the statistics page, contact coverage and the built-in queries
(档案查询统计), each with its .xlsx export (rows in tests/authz/matrix_hardship_stats.txt)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_stats as v

urlpatterns: list[URLPattern] = [
    path("orgs/<int:org_id>/hardship/statistics/", v.statistics, name="stats"),
    path("orgs/<int:org_id>/hardship/statistics.xlsx", v.statistics_export, name="stats_export"),
    path("orgs/<int:org_id>/hardship/coverage/", v.coverage, name="stats_coverage"),
    path("orgs/<int:org_id>/hardship/coverage.xlsx", v.coverage_export, name="stats_coverage_export"),
    path("orgs/<int:org_id>/hardship/query/id-number/", v.id_lookup, name="stats_id_lookup"),
    path("orgs/<int:org_id>/hardship/query/<slug:kind>/", v.query, name="stats_query"),
    path("orgs/<int:org_id>/hardship/query/<slug:kind>.xlsx", v.query_export, name="stats_query_export"),
]
