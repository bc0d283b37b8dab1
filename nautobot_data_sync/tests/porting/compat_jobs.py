"""Jobs on ``compat.ssot``'s API for the tests of its parts: a relationship by label (one peer by a field path, and
peers as dicts), a list of TypedDicts, a model's ``get_queryset()``, bulk mode opted into, and nautobot-ssot's
``sync_data(memory_profiling)``. The source side is built from plain dicts (``testing.adapter_from_records``)."""

from typing import Annotated, Optional

from nautobot.apps.jobs import register_jobs
from nautobot.dcim.models import Location
from nautobot.tenancy.models import Tenant

from nautobot_data_sync.compat.ssot import (
    CustomRelationshipAnnotation,
    DataSource,
    LocationDict,
    NautobotAdapter,
    NautobotModel,
    RelationshipSideEnum,
    TagDict,
)
from nautobot_data_sync.testing import adapter_from_records

OWNER = "Location owner"
"""The label of a one-to-many relationship: a tenant (source) owns locations (destinations)."""


class LocationModel(NautobotModel):
    _model = Location
    _modelname = "location"
    _identifiers = ("name",)
    _attributes = ("owner__name", "tags")

    name: str
    owner__name: Annotated[
        Optional[str],  # noqa: UP045 - as nautobot-ssot's documentation writes it
        CustomRelationshipAnnotation(name=OWNER, side=RelationshipSideEnum.DESTINATION),
    ] = None
    tags: list[TagDict] = []

    @classmethod
    def get_queryset(cls):
        return Location.objects.filter(location_type__name="Site")


class TenantModel(NautobotModel):
    _model = Tenant
    _modelname = "tenant"
    _identifiers = ("name",)
    _attributes = ("owned_locations",)

    name: str
    owned_locations: Annotated[
        list[LocationDict], CustomRelationshipAnnotation(name=OWNER, side=RelationshipSideEnum.SOURCE)
    ] = []


class RecordsSource(DataSource):
    """Tests set ``records`` (``{model name: [values]}``) before running."""

    records = {}
    adapter_class = None

    class Meta:
        name = "Test compat records source"
        data_source = "Records"

    def load_source_adapter(self):
        models = {name: getattr(self.adapter_class, name) for name in self.records}
        self.source_adapter = adapter_from_records(models, self.records)

    def load_target_adapter(self):
        self.target_adapter = self.adapter_class(job=self, sync=self.sync)
        self.target_adapter.load()


class LocationAdapter(NautobotAdapter):
    location = LocationModel
    top_level = ("location",)


class TenantAdapter(NautobotAdapter):
    tenant = TenantModel
    top_level = ("tenant",)


class LocationOwnerSource(RecordsSource):
    adapter_class = LocationAdapter

    class Meta:
        name = "Test compat: location owners"


class LocationOwnerBulkSource(LocationOwnerSource):
    bulk_mode = True

    class Meta:
        name = "Test compat: location owners (bulk)"


class TenantLocationsSource(RecordsSource):
    adapter_class = TenantAdapter

    class Meta:
        name = "Test compat: tenants' locations"


class ProfiledSource(LocationOwnerSource):
    """Overrides nautobot-ssot's ``sync_data(memory_profiling)``; what it was given is kept in ``calls``."""

    calls = []

    class Meta:
        name = "Test compat: sync_data override"

    def sync_data(self, memory_profiling):
        self.calls.append(memory_profiling)
        super().sync_data(memory_profiling)


register_jobs(LocationOwnerSource, LocationOwnerBulkSource, TenantLocationsSource, ProfiledSource)
