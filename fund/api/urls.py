from django.urls import path
from rest_framework.routers import SimpleRouter

from fund.api.me import MeView
from fund.api.ministry import InfraPlanViewSet, PipelineSummaryView, SelfCheckView
from fund.api.views import (
    ChannelViewSet,
    DemandView,
    EventViewSet,
    FaqView,
    NoticeViewSet,
    PacketViewSet,
    PipelineView,
    ProposalViewSet,
)

router = SimpleRouter()
router.register("channels", ChannelViewSet, basename="channel")
router.register("coordination/packets", PacketViewSet, basename="packet")
router.register("events", EventViewSet, basename="event")
router.register("infra-plans", InfraPlanViewSet, basename="infra-plan")
router.register("notices", NoticeViewSet, basename="notice")
router.register("proposals", ProposalViewSet, basename="proposal")
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("pipeline/", PipelineView.as_view(), name="pipeline"),
    path("pipeline/summary/", PipelineSummaryView.as_view(), name="pipeline-summary"),
    path("stats/demand/", DemandView.as_view(), name="stats-demand"),
    path("self-check/", SelfCheckView.as_view(), name="self-check"),
    path("faq/", FaqView.as_view(), name="faq"),
    *router.urls,
]
