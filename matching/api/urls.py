from rest_framework.routers import SimpleRouter

from matching.api.views import RuleSetViewSet

router = SimpleRouter()
router.register("rulesets", RuleSetViewSet, basename="ruleset")
urlpatterns = router.urls
