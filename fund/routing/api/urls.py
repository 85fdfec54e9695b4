"""Routes of the routing API: /routing/ (the switch) and /routing-policies/ (the versions)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from fund.routing.api.views import (
    RoutingPauseView,
    RoutingPolicyViewSet,
    RoutingResumeView,
    RoutingStateView,
)

router = SimpleRouter()
router.register("routing-policies", RoutingPolicyViewSet, basename="routing-policy")
urlpatterns = [
    path("routing/", RoutingStateView.as_view(), name="routing"),
    path("routing/pause/", RoutingPauseView.as_view(), name="routing-pause"),
    path("routing/resume/", RoutingResumeView.as_view(), name="routing-resume"),
    *router.urls,
]
