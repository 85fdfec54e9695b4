"""The fund's pages, concern by concern. The "pipeline" URL namespace spans KEIT's screening
inbox and the packet pages (coordination) and KDB's pipeline (review)."""

from django.urls import include, path

from fund.coordination import urls as coordination_urls
from fund.overview.dashboard import staff_dashboard
from fund.review import urls as review_urls

urlpatterns = [
    path("", include("fund.site.urls")),
    path("", include((coordination_urls.urlpatterns + review_urls.urlpatterns, "pipeline"))),
    path("", include("fund.site.public_urls")),
    path("dashboard/", staff_dashboard, name="staff_dashboard"),
    path("secretariat/routing/", include("fund.routing.urls")),
    path("institutions/", include("fund.institutions.urls")),
    path("", include("fund.overview.urls")),
    path("", include("fund.ministry.urls")),
]
