"""REST API of Data Syncs and their changes, and its OpenAPI schema."""

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.settings import spectacular_settings
from nautobot.apps.testing import APITestCase, APIViewTestCases, OpenAPISchemaTestCases
from nautobot.extras.models import Status
from rest_framework import status

from nautobot_data_sync.models import Sync, SyncChange, SyncPhase
from nautobot_data_sync.tests.fixtures.records import MIB, create_test_records


class SyncAPITestCase(
    APIViewTestCases.GetObjectViewTestCase,
    APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.DeleteObjectViewTestCase,
):
    model = Sync

    @classmethod
    def setUpTestData(cls):
        cls.dry, cls.live, cls.failed, cls.running = create_test_records()

    def test_urls(self):
        self.assertEqual(self._get_list_url(), "/api/plugins/data-sync/syncs/")
        self.assertEqual(self._get_detail_url(self.dry), f"/api/plugins/data-sync/syncs/{self.dry.pk}/")

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_detail_has_phases_and_counts(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        response = self.client.get(self._get_detail_url(self.live), **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        data = response.json()
        self.assertEqual(data["source"], "Inventory")
        self.assertEqual(data["status"], {"value": "succeeded", "label": "Succeeded"})
        self.assertFalse(data["dry_run"])
        self.assertEqual(data["duration"], "00:04:05")
        self.assertEqual((data["update_count"], data["delete_count"], data["create_count"]), (1, 1, 0))
        self.assertEqual(data["counts_by_model"], {"status": {"update": 1, "delete": 1}})
        self.assertEqual(data["scope"], {"Location": "ams01", "Devices": ["leaf-01", "leaf-02"]})
        self.assertEqual(data["job_result"]["id"], str(self.live.job_result.pk))
        self.assertEqual(
            [phase["name"]["value"] for phase in data["phases"]], ["source_load", "target_load", "diff", "sync"]
        )
        phase = data["phases"][0]
        self.assertEqual(phase["memory_peak"], 12 * MIB + MIB // 2)
        self.assertEqual(phase["duration"], "00:00:02")
        self.assertEqual(phase["query_count"], 5)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_running_sync_has_no_duration(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        data = self.client.get(self._get_detail_url(self.running), **self.header).json()
        self.assertIsNone(data["duration"])
        self.assertIsNone(data["end_time"])
        self.assertEqual(len(data["phases"]), 1)

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_list_filters(self):
        self.add_permissions("nautobot_data_sync.view_sync")
        response = self.client.get(f"{self._get_list_url()}?dry_run=true", **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual({row["id"] for row in response.json()["results"]}, {str(self.dry.pk), str(self.running.pk)})
        response = self.client.get(f"{self._get_list_url()}?status=failed&target=Ticketing", **self.header)
        self.assertEqual([row["id"] for row in response.json()["results"]], [str(self.failed.pk)])

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_list_query_count_does_not_grow_with_rows(self):
        """Phases, job and job result come in a fixed number of queries, whatever the number of syncs."""
        self.add_permissions("nautobot_data_sync.view_sync")
        with CaptureQueriesContext(connection) as few:
            self.client.get(self._get_list_url(), **self.header)
        create_test_records()
        with CaptureQueriesContext(connection) as more:
            response = self.client.get(self._get_list_url(), **self.header)
        self.assertEqual(response.json()["count"], 8)
        self.assertEqual(len(more), len(few))

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_read_only(self):
        """Syncs are written by jobs only: the API offers no create or update."""
        self.add_permissions(
            "nautobot_data_sync.add_sync", "nautobot_data_sync.change_sync", "nautobot_data_sync.view_sync"
        )
        data = {"source": "a", "target": "b", "start_time": "2024-01-01T00:00:00Z"}
        detail_url = self._get_detail_url(self.dry)
        self.assertHttpStatus(
            self.client.post(self._get_list_url(), data, format="json", **self.header),
            status.HTTP_405_METHOD_NOT_ALLOWED,
        )
        self.assertHttpStatus(
            self.client.patch(detail_url, data, format="json", **self.header), status.HTTP_405_METHOD_NOT_ALLOWED
        )
        self.assertHttpStatus(
            self.client.put(detail_url, data, format="json", **self.header), status.HTTP_405_METHOD_NOT_ALLOWED
        )

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_delete_cascades(self):
        self.add_permissions("nautobot_data_sync.delete_sync")
        response = self.client.delete(self._get_detail_url(self.live), **self.header)
        self.assertHttpStatus(response, status.HTTP_204_NO_CONTENT)
        self.assertFalse(SyncPhase.objects.filter(sync_id=self.live.pk).exists())
        self.assertFalse(SyncChange.objects.filter(sync_id=self.live.pk).exists())


class SyncChangeAPITestCase(APIViewTestCases.GetObjectViewTestCase, APIViewTestCases.ListObjectsViewTestCase):
    model = SyncChange

    @classmethod
    def setUpTestData(cls):
        cls.dry, cls.live, cls.failed, cls.running = create_test_records()

    def test_urls(self):
        self.assertEqual(self._get_list_url(), "/api/plugins/data-sync/changes/")

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_change_with_linked_object(self):
        self.add_permissions("nautobot_data_sync.view_syncchange")
        change = SyncChange.objects.get(sync=self.live, sequence=1)
        active = Status.objects.get(name="Active")
        data = self.client.get(self._get_detail_url(change), **self.header).json()
        self.assertEqual(data["sync"]["id"], str(self.live.pk))
        self.assertEqual(data["action"], {"value": "update", "label": "Update"})
        self.assertEqual(data["status"], {"value": "succeeded", "label": "Succeeded"})
        self.assertEqual(data["attributes_before"], {"color": "aaaaaa"})
        self.assertEqual(data["attributes_after"], {"color": "4caf50"})
        self.assertEqual(data["changed_object_type"], "extras.status")
        self.assertEqual(data["changed_object"]["id"], str(active.pk))
        self.assertEqual(data["changed_object"]["object_type"], "extras.status")
        self.assertTrue(data["changed_object"]["url"].endswith(reverse("extras-api:status-detail", args=[active.pk])))
        self.assertNotIn("display", data["changed_object"])
        data = self.client.get(f"{self._get_detail_url(change)}?depth=1", **self.header).json()
        self.assertEqual(data["changed_object"]["display"], "Active")

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_change_without_linked_object(self):
        self.add_permissions("nautobot_data_sync.view_syncchange")
        change = SyncChange.objects.get(sync=self.failed, sequence=1)
        data = self.client.get(self._get_detail_url(change), **self.header).json()
        self.assertIsNone(data["changed_object"])
        self.assertIsNone(data["changed_object_type"])
        self.assertEqual(data["message"], "HTTP 500 from the ticketing system")

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_filter_by_sync(self):
        self.add_permissions("nautobot_data_sync.view_syncchange")
        response = self.client.get(f"{self._get_list_url()}?sync={self.live.pk}", **self.header)
        self.assertEqual([row["sequence"] for row in response.json()["results"]], [1, 2, 3])
        response = self.client.get(f"{self._get_list_url()}?sync={self.dry.pk}&action=update", **self.header)
        self.assertEqual([row["unique_id"] for row in response.json()["results"]], ["Site C"])

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_list_query_count_does_not_grow_with_rows(self):
        """Linked objects are described from the stored link: no query per change."""
        self.add_permissions("nautobot_data_sync.view_syncchange")
        with CaptureQueriesContext(connection) as few:
            self.client.get(f"{self._get_list_url()}?depth=1", **self.header)
        create_test_records()
        with CaptureQueriesContext(connection) as more:
            response = self.client.get(f"{self._get_list_url()}?depth=1", **self.header)
        self.assertEqual(response.json()["count"], 16)
        self.assertEqual(len(more), len(few))

    @override_settings(EXEMPT_VIEW_PERMISSIONS=[])
    def test_read_only(self):
        self.add_permissions(
            "nautobot_data_sync.add_syncchange",
            "nautobot_data_sync.change_syncchange",
            "nautobot_data_sync.delete_syncchange",
            "nautobot_data_sync.view_syncchange",
        )
        detail_url = self._get_detail_url(SyncChange.objects.first())
        self.assertHttpStatus(
            self.client.post(self._get_list_url(), {}, format="json", **self.header),
            status.HTTP_405_METHOD_NOT_ALLOWED,
        )
        self.assertHttpStatus(self.client.delete(detail_url, **self.header), status.HTTP_405_METHOD_NOT_ALLOWED)
        self.assertHttpStatus(
            self.client.patch(detail_url, {}, format="json", **self.header), status.HTTP_405_METHOD_NOT_ALLOWED
        )


class APIRootTestCase(APITestCase):
    model = Sync

    def test_root_lists_endpoints(self):
        response = self.client.get("/api/plugins/data-sync/", **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertTrue(response.json()["syncs"].endswith("/api/plugins/data-sync/syncs/"))
        self.assertTrue(response.json()["changes"].endswith("/api/plugins/data-sync/changes/"))


class SchemaTestCase(OpenAPISchemaTestCases.BaseSchemaTestCase):
    """The OpenAPI schema generates and describes the endpoints as read-only (plus DELETE for syncs)."""

    @classmethod
    def setUpTestData(cls):
        # Only the current API version: generating the schema of every version takes over a minute.
        generator = spectacular_settings.DEFAULT_GENERATOR_CLASS(api_version=settings.REST_FRAMEWORK_VERSION)
        cls.schemas = {settings.REST_FRAMEWORK_VERSION: generator.get_schema(request=None, public=True)}

    def test_paths(self):
        for api_version, schema in self.schemas.items():
            with self.subTest(api_version=api_version):
                paths = schema["paths"]
                self.assertEqual(set(paths["/plugins/data-sync/syncs/"]), {"get", "delete"})  # list, bulk delete
                self.assertEqual(set(paths["/plugins/data-sync/syncs/{id}/"]), {"get", "delete"})
                self.assertEqual(set(paths["/plugins/data-sync/changes/"]), {"get"})
                self.assertEqual(set(paths["/plugins/data-sync/changes/{id}/"]), {"get"})

    def test_components(self):
        sync = self.get_component_schema("Sync")
        for name in ("source", "target", "status", "dry_run", "phases", "duration", "create_count", "failed_count"):
            self.get_schema_property(sync, name)
        self.assert_read_only_property(sync, "phases")
        self.assert_read_only_property(sync, "status")
        self.assertEqual(self.get_property_ref_component_name(sync, "phases"), "SyncPhase")
        change = self.get_component_schema("SyncChange")
        for name in ("sync", "model_name", "unique_id", "action", "attributes_before", "changed_object", "message"):
            self.get_schema_property(change, name)
        self.assert_read_only_property(change, "changed_object")
