"""URLs of the hardship module, one list per part of the work (files and workflow; statistics,
coverage and exports), so each part's views stay in their own module."""

from __future__ import annotations

from . import urls_files, urls_stats

app_name = "hardship"

urlpatterns = [*urls_files.urlpatterns, *urls_stats.urlpatterns]
