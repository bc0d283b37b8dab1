"""UI routes, under /plugins/data-sync/ (route names follow NautobotUIViewSetRouter: sync, sync_list, ...)."""

from django.urls import path
from nautobot.apps.urls import NautobotUIViewSetRouter

from nautobot_data_sync.changeviews import SyncChangeUIViewSet
from nautobot_data_sync.dashboard import DashboardView, SyncJobView
from nautobot_data_sync.views import SyncUIViewSet

router = NautobotUIViewSetRouter()
router.register("syncs", SyncUIViewSet)
router.register("changes", SyncChangeUIViewSet)

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("jobs/<uuid:pk>/", SyncJobView.as_view(), name="syncjob"),
    *router.urls,
]
