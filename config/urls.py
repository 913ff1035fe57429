from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts import views as account_views
from annotations import views as annotation_views
from briefs import views as brief_views
from config.api import api

urlpatterns = [
    path("", include("briefs.urls")),
    path("search/", include("search.urls")),
    path("annotations/", include("annotations.urls")),
    path("codebook/", annotation_views.codebook, name="codebook"),
    path("codebook/", include("annotations.codebook_urls")),
    path("export/", include("annotations.export.urls")),
    path("claims/events/", include("annotations.claims.events_urls")),
    path("claims/", include("annotations.claims.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/v1/w3c/", include("annotations.protocol_urls")),
    path("api/v1/", api.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The header's language switcher: Django's set_language, refusing languages not offered
    # and remembering the choice on the signed-in user's profile.
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("healthz", brief_views.healthz, name="healthz"),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler400 = "config.errors.bad_request"
handler500 = "config.errors.server_error"
