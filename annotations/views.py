"""Annotation writes (JSON in, JSON with re-rendered partials out), the card and permalinks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from annotations import permissions, selectors, services
from annotations.claims.filters import claims_selection_read
from annotations.export.permissions import can_export
from annotations.forms import (
    AnnotationBrowseForm,
    AnnotationCreateForm,
    AnnotationFieldsForm,
    AnnotationFilterForm,
    first_error,
)
from annotations.models import Actor, Annotation
from annotations.reading import ReaderFilters, reader_build, tag_groups_build
from briefs.models import Brief
from config.input_guard import UnreadableInput, json_body_load

View = Callable[..., HttpResponse]


def json_errors(view: View) -> View:
    """Answer every refusal of a write as JSON {"error": message} with a 4xx status."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Sign in to annotate.")}, status=401)
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            code = getattr(exc, "code", None)
            status = {"quote_mismatch": 409, "idempotency_mismatch": 422}.get(code, 400)
            return JsonResponse({"error": " ".join(exc.messages)}, status=status)
        except PermissionDenied as exc:
            return JsonResponse({"error": str(exc) or _("Not allowed.")}, status=403)
        except Annotation.DoesNotExist:
            return JsonResponse({"error": _("No such annotation, or it is not visible to you.")}, status=404)

    return wrapped


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json_body_load(request.body)
    except UnreadableInput as exc:
        raise ValidationError(str(exc)) from exc
    if not isinstance(data, dict):
        raise ValidationError(_("The request body must be a JSON object."))
    return data


def _valid(form_class: type, data: dict[str, Any]) -> dict[str, Any]:
    form = form_class(data)
    if not form.is_valid():
        raise ValidationError(first_error(form))
    return form.cleaned_data


def _written(request: HttpRequest, annotation: Annotation, message: str, status: int = 200) -> JsonResponse:
    """Answer a write with the section and the filter bar re-rendered under the page's filters."""
    section = annotation.section
    brief = section.brief
    filters = ReaderFilters(**AnnotationFilterForm(request.GET).filters())
    reader = reader_build(
        user=request.user, brief=brief, sections=[section], filters=filters, only=section.pk
    )
    context = {"brief": brief, "reader": reader, "rs": reader.sections[0]}
    shown = any(a.pk == annotation.pk for a in reader.sections[0].annotations)
    return JsonResponse(
        {
            "id": annotation.pk,
            "message": message,
            "section_id": section.pk,
            "shown": shown,
            "permalink": reverse("annotations:detail", args=[annotation.pk]),
            "section_html": render_to_string("briefs/reader.html#section", context, request),
            "filters_html": render_to_string("briefs/reader.html#filters", context, request),
        },
        status=status,
    )


def _saved_message(annotation: Annotation, *, tagged: bool) -> str:
    """Return what the reader says after a create: which kind was saved, shared or private."""
    shared = annotation.visibility == "shared"
    if tagged:
        return _("Saved shared tagged claim.") if shared else _("Saved private tagged claim.")
    return _("Saved shared highlight.") if shared else _("Saved private highlight.")


@require_POST
@json_errors
def create(request: HttpRequest) -> HttpResponse:
    data = _valid(AnnotationCreateForm, _json_body(request))
    # reader.js sends one key per selection saved, so a double click or a retry saves once.
    idempotency = services.Idempotency.of_request(
        request.headers.get("Idempotency-Key"), scope="reader", body=request.body
    )
    annotation, status, _ = services.annotation_create_once(
        user=request.user,
        idempotency=idempotency,
        create=lambda: services.annotation_create(user=request.user, **data),
    )
    return _written(request, annotation, _saved_message(annotation, tagged=bool(data["tags"])), status=status)


@require_POST
@json_errors
def update(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = selectors.annotation_get(user=request.user, pk=pk)
    current = {
        "tags": [tag.code for tag in annotation.tags.all()],
        "actor": annotation.actor,
        "note": annotation.note,
        "visibility": annotation.visibility,
    }
    # Fields left out keep their values: validated with the current ones, but only the
    # fields sent are written, onto the row as the service locks it (no lost update).
    sent = _json_body(request)
    data = _valid(AnnotationFieldsForm, current | sent)
    fields = {name: value for name, value in data.items() if name in sent}
    annotation = services.annotation_update(user=request.user, annotation=annotation, **fields)
    return _written(request, annotation, _("Annotation updated."))


@require_POST
@json_errors
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = selectors.annotation_get(user=request.user, pk=pk)
    services.annotation_delete(user=request.user, annotation=annotation)
    return _written(request, annotation, _("Annotation deleted."))


@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        annotation = selectors.annotation_get(user=request.user, pk=pk)
    except Annotation.DoesNotExist as exc:
        raise Http404(_("No such annotation, or it is not visible to you.")) from exc
    context = {"annotation": annotation, "can_change": permissions.can_change(request.user, annotation)}
    return render(request, "annotations/card.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The permalink: the reader, scrolled to the annotation."""
    try:
        annotation = selectors.annotation_get(user=request.user, pk=pk)
    except Annotation.DoesNotExist as exc:
        raise Http404(_("No such annotation, or it is not visible to you.")) from exc
    url = reverse("briefs:reader", args=[annotation.section.brief.slug])
    return redirect(f"{url}#annotation-{annotation.pk}")


@require_GET
def codebook(request: HttpRequest) -> HttpResponse:
    """The codebook to read while tagging: every category and tag with its decision rule,
    example and shortcut, and how many annotations the reader may see carry it."""
    tags = list(selectors.tag_list())
    usage = selectors.tag_usage(request.user) if request.user.is_authenticated else {}
    for tag in tags:
        tag.usage = usage.get(tag.pk, 0)
    context = {
        "groups": tag_groups_build(tags, active_only=False),
        "signed_in": request.user.is_authenticated,
        "can_edit": request.user.has_perm("annotations.change_tag"),
        "can_export": can_export(request.user),
    }
    return render(request, "annotations/codebook.html", context)


BROWSE_PER_PAGE = 50


@login_required
@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    """Every annotation the user may see, across briefs, newest change first, filtered."""
    claims = claims_selection_read(request.GET, user=request.user) if "claims" in request.GET else None
    if claims is not None:  # a count of the claims views: its own filters, plus text
        form = AnnotationBrowseForm({"q": request.GET.get("q", "")})
        filters = {**form.filters(), "within": claims.annotations}
    else:
        form = AnnotationBrowseForm(request.GET)
        filters = form.filters()
    mine = filters.pop("mine")
    if mine:
        filters["author"] = request.user.get_username()
    annotations = selectors.annotation_browse(user=request.user, **filters)
    page = Paginator(annotations, BROWSE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "briefs": Brief.objects.order_by("title").only("slug", "title"),
        "tags": list(selectors.tag_list()),
        "actors": Actor.choices,
        "filtered": any(value for name, value in filters.items() if name != "within") or mine,
        "claims": claims,
    }
    return render(request, "annotations/browse.html", context)
