from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from alliance import urls as alliance_urls
from fund.coordination import urls as coordination_urls
from portal.health import healthz, readyz, system_status_page

admin.site.site_header = "M.AX × 국민성장펀드 포털 관리 / Portal administration"

# English is served at the same paths once the language is switched (/i18n/setlang/, SPEC §4).
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("system/status/", system_status_page, name="system_status"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Admin pages of models that moved to another app keep their old addresses working.
    re_path(
        r"^admin/alliance/notification/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/core/notification/%(rest)s", query_string=True),
    ),
    re_path(
        r"^admin/alliance/fundquestion/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/fund/fundquestion/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("matching/", include("matching.urls")),
    path("accounts/", include("alliance.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("fund.urls")),
    path("", include("alliance.consultations.urls")),
    path(
        "", include((alliance_urls.urlpatterns + coordination_urls.alliance_patterns, "alliance"))
    ),
]
