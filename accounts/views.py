"""The profile page (your personal API tokens: created, shown once, revoked), signing in, and
the header's language switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenCreateForm
from accounts.models import ApiToken
from config.input_guard import refusal


@never_cache  # the page may carry a new token's secret: never store it in a cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            new_token = {"token": token, "raw": raw}
            form = ApiTokenCreateForm()
    context = {"form": form, "new_token": new_token, "tokens": selectors.api_token_list(user=request.user)}
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404(_("No such token.")) from exc
    messages.success(request, _("Revoked %(token)s.") % {"token": token})
    return redirect("accounts:tokens")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: Django's set_language (the cookie, and a redirect to
    `next` only when it is on this site), and the user's profile when signed in."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        # Django's view would set a cookie for any language it has a catalog of (fr, de, ...).
        return refusal(request, _("That language is not offered: choose English or Korean."))
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        services.profile_language_set(user=request.user, language=language)
    return response


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Set the language cookie as Django's set_language does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SignInView(auth_views.LoginView):
    """Django's sign-in, then the user's own language: the one stored on their profile (set as
    the cookie), or else the one they chose on this browser before signing in (stored)."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        stored = selectors.profile_language(user=user)
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if stored:
            language_cookie_set(response, stored)
        elif chosen in dict(settings.LANGUAGES):
            services.profile_language_set(user=user, language=chosen)
        return response
