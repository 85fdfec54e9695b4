from rest_framework.routers import SimpleRouter

from .views import FirmViewSet, ProposalViewSet

router = SimpleRouter()
router.register("firms", FirmViewSet, basename="firm")
router.register("proposals", ProposalViewSet, basename="proposal")
urlpatterns = router.urls
