from rest_framework.routers import SimpleRouter

from .views import CardViewSet, MemberViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("cards", CardViewSet, basename="card")

urlpatterns = router.urls
