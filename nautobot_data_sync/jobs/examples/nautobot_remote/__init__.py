"""Example jobs: a remote Nautobot as Data Source (remote -> this Nautobot) and as Data Target (this -> remote).

models.py: the diffsync models, declared as Nautobot field paths and shared by both sides; adapters.py: this Nautobot
(ORM) and the remote one (REST); rest.py: REST records <-> declared fields; client.py: the HTTP client (pagination,
parallel reads, bulk writes, retries); writer.py: a diff applied to the remote in bulk; connection.py: External
Integration + Secrets Group, or URL + token. See docs/remote-nautobot.md.
"""

from diffsync.enum import DiffSyncFlags
from nautobot.apps.jobs import BooleanVar, IntegerVar, ObjectVar, StringVar
from nautobot.extras.models import ExternalIntegration

from nautobot_data_sync.jobs.base import DataMapping, DataSource, DataTarget
from nautobot_data_sync.jobs.examples.inventory.diff import DeletesLastDiff
from nautobot_data_sync.jobs.examples.nautobot_remote import connection
from nautobot_data_sync.jobs.examples.nautobot_remote.adapters import LocalNautobotAdapter, RemoteNautobotAdapter
from nautobot_data_sync.jobs.examples.nautobot_remote.client import RemoteNautobotError
from nautobot_data_sync.jobs.examples.nautobot_remote.rest import list_path
from nautobot_data_sync.jobs.examples.nautobot_remote.writer import RemoteWriter

__all__ = ("RemoteNautobotDataSource", "RemoteNautobotDataTarget", "RemoteNautobotError")

REMOTE = "Remote Nautobot"


class RemoteNautobotJob:
    """Inputs, connection and UI hooks shared by both directions."""

    integration = ObjectVar(
        model=ExternalIntegration,
        required=False,
        description=f"The remote Nautobot (URL, TLS, timeout, and a Secrets Group with an HTTP(S) Token). Empty: "
        f"the URL and token below, else the integration named {connection.DEFAULT_INTEGRATION!r}.",
    )
    remote_url = StringVar(required=False, label="Remote URL", description="For quick tries, without an integration.")
    remote_token = StringVar(required=False, label="Remote token", description="With the remote URL; never stored.")
    verify_ssl = BooleanVar(
        default=True, label="Verify TLS", description="With the remote URL (an integration has its own)."
    )
    delete_records = BooleanVar(default=True, description="Delete what the source lacks; off: only create and update.")
    parallel_requests = IntegerVar(
        default=4, min_value=1, max_value=16, description="Collections fetched at the same time (connections)."
    )

    diff_class = DeletesLastDiff

    def __init__(self):
        super().__init__()
        self.connection = None
        self.client = None
        self.parallel_requests = 4
        self._inputs = {}

    def run(
        self,
        *args,
        integration=None,
        remote_url="",
        remote_token="",
        verify_ssl=True,
        delete_records=True,
        parallel_requests=4,
        **kwargs,
    ):
        self.parallel_requests = parallel_requests
        self._inputs = dict(integration=integration, url=remote_url, token=remote_token, verify_ssl=verify_ssl)
        if not delete_records:
            self.diffsync_flags = self.diffsync_flags | DiffSyncFlags.SKIP_UNMATCHED_DST
        try:
            return super().run(
                *args,
                integration=integration.name if integration else None,
                remote_url=remote_url,
                verify_ssl=verify_ssl,
                delete_records=delete_records,
                parallel_requests=parallel_requests,
                **kwargs,
            )
        finally:
            if self.client:
                self.client.close()

    def remote_adapter(self):
        """The remote side, loaded: connection checked, then every collection fetched."""
        self.connection = connection.resolve(**self._inputs)
        self.client = self.connection.client(max_workers=self.parallel_requests)
        self.logger.info("Reading %s", self.connection.url, extra={"grouping": REMOTE})
        adapter = RemoteNautobotAdapter(self.client, name=REMOTE)
        adapter.load()
        requests = self.client.requests_made
        self.logger.info("%d requests to %s", requests, self.connection.url, extra={"grouping": REMOTE})
        return adapter

    def local_adapter(self):
        adapter = LocalNautobotAdapter(name="Nautobot", job=self)
        adapter.load()
        return adapter

    @classmethod
    def data_mappings(cls):
        integration = connection.default_integration()
        base = integration.remote_url.rstrip("/") + "/" if integration and integration.remote_url else None
        mappings = []
        for name in LocalNautobotAdapter.model_names():
            model_class = getattr(LocalNautobotAdapter, name)
            label = model_class._model._meta.verbose_name_plural.capitalize()
            local, remote = f"/{list_path(model_class)}", base and f"{base}{list_path(model_class)}"
            local_side, remote_side = (f"{label} (this Nautobot)", local), (f"{label} ({REMOTE})", remote)
            source, target = (remote_side, local_side) if issubclass(cls, DataSource) else (local_side, remote_side)
            mappings.append(DataMapping(source[0], source[1], target[0], target[1]))
        return mappings

    @classmethod
    def config_information(cls):
        integration = connection.default_integration()
        if integration is None:
            where = {
                "Remote Nautobot": f"not configured: create an External Integration named "
                f"{connection.DEFAULT_INTEGRATION!r}, choose another one, or enter a URL and a token when running",
            }
        else:
            where = {
                "Remote Nautobot": integration.remote_url,
                "External Integration": integration.name,
                "Secrets Group": integration.secrets_group.name if integration.secrets_group else "none (needed)",
                "TLS verification": "on" if integration.verify_ssl else "off",
                "Timeout": f"{integration.timeout} s",
            }
        names = LocalNautobotAdapter.model_names()
        models = ", ".join(str(getattr(LocalNautobotAdapter, name)._model._meta.verbose_name_plural) for name in names)
        return {
            **where,
            "Models": models,
            "Deletes": "on by default (input 'Delete records'); statuses are never deleted",
            "Reads": "one paginated collection per model, fetched in parallel",
            "Writes": "bulk POST/PATCH/DELETE" if issubclass(cls, DataTarget) else "this Nautobot's ORM",
        }

    def lookup_object(self, model_name, unique_id):
        local = self.target_adapter if isinstance(self, DataSource) else self.source_adapter
        return local.lookup_object(model_name, unique_id) if isinstance(local, LocalNautobotAdapter) else None


class RemoteNautobotDataSource(RemoteNautobotJob, DataSource):
    """Sync a remote Nautobot's organization, DCIM and IPAM records into this Nautobot."""

    bulk_mode = True  # validated, change-logged batches; IP addresses and prefixes are written one by one (orm.writer)

    class Meta(DataSource.Meta):
        name = "Remote Nautobot \u27f6 Nautobot"
        description = (
            "Sync tags, statuses, tenants, locations, manufacturers, platforms, device types, roles, devices, "
            "interfaces, VLANs, namespaces, prefixes and IP addresses (with interface assignments) from a remote "
            "Nautobot into this one."
        )
        data_source = REMOTE
        has_sensitive_variables = True  # the token input

    def load_source_adapter(self):
        self.source_adapter = self.remote_adapter()

    def load_target_adapter(self):
        self.target_adapter = self.local_adapter()


class RemoteNautobotDataTarget(RemoteNautobotJob, DataTarget):
    """Sync this Nautobot's organization, DCIM and IPAM records into a remote Nautobot, with bulk requests."""

    class Meta(DataTarget.Meta):
        name = "Nautobot \u27f6 remote Nautobot"
        description = (
            "Sync tags, statuses, tenants, locations, manufacturers, platforms, device types, roles, devices, "
            "interfaces, VLANs, namespaces, prefixes and IP addresses (with interface assignments) from this Nautobot "
            "into a remote one, with bulk REST requests."
        )
        data_target = REMOTE
        has_sensitive_variables = True

    def load_source_adapter(self):
        self.source_adapter = self.local_adapter()

    def load_target_adapter(self):
        self.target_adapter = self.remote_adapter()

    def execute_sync(self):
        """Write the diff to the remote in bulk (each object's outcome recorded; no transaction spans two systems)."""
        writer = RemoteWriter(self.client, self.source_adapter, self.target_adapter, self.recorder, self.logger)
        failures = writer.apply(self.diff)
        self.logger.info(
            "%d requests to %s, %d objects refused",
            self.client.requests_made,
            self.connection.url,
            failures,
            extra={"grouping": "Sync"},
        )
