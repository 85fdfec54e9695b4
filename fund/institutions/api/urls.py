"""Routes of the institutions' API: institutions/, proposals/{id}/share/, dealflow/, interests/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from fund.institutions.api.views import (
    DealflowViewSet,
    InstitutionViewSet,
    InterestViewSet,
    ProposalShareView,
)

router = SimpleRouter()
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("dealflow", DealflowViewSet, basename="dealflow")
router.register("interests", InterestViewSet, basename="interest")
urlpatterns = [
    path("proposals/<str:pk>/share/", ProposalShareView.as_view(), name="proposal-share"),
    *router.urls,
]
