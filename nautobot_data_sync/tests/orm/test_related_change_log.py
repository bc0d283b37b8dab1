"""A many-to-many field whose related objects Nautobot logs a change of too (from Nautobot 3.2, a device's clusters:
each cluster gets a record) makes its model be written one by one in bulk mode: same change log as one by one."""

import pytest
from nautobot.apps.jobs import register_jobs
from nautobot.dcim.models import Device
from nautobot.extras import utils as extras_utils
from nautobot.extras.choices import JobResultStatusChoices, ObjectChangeActionChoices
from nautobot.extras.models import ObjectChange
from nautobot.virtualization.models import Cluster, ClusterType

from nautobot_data_sync.jobs.base import DataSource
from nautobot_data_sync.orm import NautobotAdapter, NautobotModel
from nautobot_data_sync.testing import adapter_from_records, job_model_for
from nautobot_data_sync.tests.fixtures.cases import OrmJobTestCase, change_log


class ClusterMemberModel(NautobotModel):
    _model = Device
    _modelname = "device"
    _identifiers = ("name",)
    _attributes = ("location__name", "device_type__model", "role__name", "status__name", "clusters")

    name: str
    location__name: str
    device_type__model: str
    role__name: str
    status__name: str = "Active"
    clusters: list[str] = []


class ClusterMemberNautobotAdapter(NautobotAdapter):
    device = ClusterMemberModel
    top_level = ("device",)


class ClusterMemberSource(DataSource):
    """Devices and the clusters they belong to -> Nautobot, one by one. Tests set ``records``."""

    records = []

    class Meta(DataSource.Meta):
        name = "Test cluster member source"
        data_source = "Cluster member records"

    def load_source_adapter(self):
        self.source_adapter = adapter_from_records({"device": ClusterMemberModel}, {"device": self.records})

    def load_target_adapter(self):
        self.target_adapter = ClusterMemberNautobotAdapter(job=self)
        self.target_adapter.load()


class ClusterMemberBulkSource(ClusterMemberSource):
    bulk_mode = True

    class Meta(ClusterMemberSource.Meta):
        name = "Test cluster member source (bulk)"


register_jobs(ClusterMemberSource, ClusterMemberBulkSource)


def member(name, clusters):
    return {
        "name": name,
        "location__name": "ams",
        "device_type__model": "A1",
        "role__name": "leaf",
        "clusters": clusters,
    }


@pytest.mark.compat
class RelatedChangeLogTest(OrmJobTestCase):
    def setUp(self):
        super().setUp()
        cluster_type = ClusterType.objects.create(name="hypervisors")
        for name in ("c1", "c2"):
            Cluster.objects.create(name=name, cluster_type=cluster_type)

    def tearDown(self):
        ClusterMemberSource.records = []
        super().tearDown()

    def sync(self, job_class, records):
        ClusterMemberSource.records = records
        self.job_model = job_model_for(job_class)
        job_result, sync = self.run_sync(records)
        self.assertEqual(job_result.status, JobResultStatusChoices.STATUS_SUCCESS, sync.summary)

    def test_bulk_logs_the_clusters_a_device_joins_as_one_by_one(self):
        logs = []
        for job_class in (ClusterMemberSource, ClusterMemberBulkSource):
            self.sync(job_class, [member("leaf-01", ["c1"]), member("leaf-02", [])])
            self.sync(job_class, [member("leaf-01", ["c2"]), member("leaf-02", ["c1", "c2"])])
            members = {
                device.name: sorted(device.clusters.values_list("name", flat=True)) for device in Device.objects.all()
            }
            self.assertEqual(members, {"leaf-01": ["c2"], "leaf-02": ["c1", "c2"]})
            logs.append(change_log())
            Device.objects.all().delete()
            ObjectChange.objects.all().delete()
        self.assertEqual(logs[1], logs[0])
        logged = hasattr(extras_utils, "get_change_logged_m2m_through_side_field_names")  # Nautobot 3.2 on
        updated = [row[2] for row in logs[1] if row[:2] == ("cluster", ObjectChangeActionChoices.ACTION_UPDATE)]
        self.assertEqual(sorted(updated), ["c1", "c1", "c2"] if logged else [], "c1 joined; then c1 and c2 changed")
