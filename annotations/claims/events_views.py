"""The timeline's events list: every signed-in user reads it, editors add, change and delete."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from annotations.claims import events
from annotations.claims.events_forms import EventForm
from annotations.models import Event

FORBIDDEN = "claims/events_forbidden.html"


def permission_required(codename: str) -> Callable:
    """Sign-in first (a redirect to the login page), then the event permission (403 page)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(f"annotations.{codename}"):
                return render(request, FORBIDDEN, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _back(event: Event | None = None) -> str:
    url = reverse("claim_events:list")
    return f"{url}#event-{event.pk}" if event is not None else url


def _apply_errors(form: EventForm, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@login_required
@require_GET
def event_list_page(request: HttpRequest) -> HttpResponse:
    """List the events drawn on the claims timeline (editors get the tools to change it)."""
    context = {
        "events": events.event_list(),
        "language": get_language(),
        "can_add": request.user.has_perm("annotations.add_event"),
        "can_change": request.user.has_perm("annotations.change_event"),
        "can_delete": request.user.has_perm("annotations.delete_event"),
    }
    return render(request, "claims/events.html", context)


def _form_page(request: HttpRequest, event: Event | None, save: Callable[[dict], Event]) -> HttpResponse:
    """Show the event's form, or save it (the service decides) and go back to the list."""
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                saved = save(form.values())
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(label)s”.") % {"label": saved.label()})
                return redirect(_back(saved))
        status = 400
    else:
        form = EventForm.for_event(event) if event is not None else EventForm()
    return render(request, "claims/event_form.html", {"form": form, "event": event}, status=status)


@permission_required("add_event")
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    """Add an event to the timeline."""
    return _form_page(request, None, lambda values: events.event_create(**values))


@permission_required("change_event")
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an event of the timeline."""
    event = get_object_or_404(Event, pk=pk)
    return _form_page(request, event, lambda values: events.event_update(event=event, **values))


@permission_required("delete_event")
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask before deleting an event (GET); delete it (POST)."""
    event = get_object_or_404(Event, pk=pk)
    if request.method == "GET":
        return render(request, "claims/event_delete.html", {"event": event})
    label = event.label()
    events.event_delete(event=event)
    messages.success(request, _("Deleted “%(label)s”.") % {"label": label})
    return redirect(_back())
