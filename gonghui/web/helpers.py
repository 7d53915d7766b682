"""View helpers shared by the HTML apps (no domain rules here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.lib.errors import ServiceError


def apply_error(form: forms.Form, err: ServiceError) -> None:
    """Show a refused write on the form, at the field it names when the form has that field."""
    form.add_error(err.field if err.field in form.fields else None, err.message)


@dataclass
class Page:
    """A page of rows without COUNT(*): lists over a million rows stay fast."""

    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def paginate(qs: QuerySet[Any], page: Any, *, size: int | None = None) -> Page:
    size = size or settings.PAGE_SIZE
    try:
        number = max(1, min(int(page or 1), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * size
    rows = list(qs[start : start + size + 1])
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size)


def query_without_page(request: Any) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    done: Callable[[Any], HttpResponse],
    title: str,
    template: str = "form_page.html",
    **context: Any,
) -> HttpResponse:
    """GET shows the form; a valid POST calls one service (``save``) and redirects (``done``).

    A refused write (ServiceError) is shown on the form, at the field it names.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, success)
            return done(result)
    return render(request, template, {"form": form, "title": title, **context})


def post_action(request: HttpRequest, call: Callable[[], Any], *, success: str) -> bool:
    """Run one service for a POST-only action; report the outcome as a message."""
    try:
        call()
    except ServiceError as e:
        messages.error(request, e.message)
        return False
    messages.success(request, success)
    return True
