"""Where the remote Nautobot is and how to authenticate: an ExternalIntegration with a SecretsGroup, or URL + token."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from nautobot.extras.choices import SecretsGroupAccessTypeChoices, SecretsGroupSecretTypeChoices
from nautobot.extras.models import ExternalIntegration
from nautobot.extras.secrets.exceptions import SecretError

from nautobot_data_sync.jobs.examples.nautobot_remote.client import RemoteNautobot, RemoteNautobotError

DEFAULT_INTEGRATION = "Remote Nautobot"
"""The External Integration used when the job is given neither an integration nor a URL."""


@dataclass(frozen=True)
class Connection:
    """A remote Nautobot to connect to; ``token`` is never shown or recorded."""

    url: str
    token: str
    verify_ssl: bool | str = True  # or the path of a CA bundle
    timeout: int = 30
    integration: str | None = None

    def client(self, **options):
        """A checked ``RemoteNautobot`` (reachable, accepts the token, supported version)."""
        client = RemoteNautobot(self.url, self.token, verify_ssl=self.verify_ssl, timeout=self.timeout, **options)
        try:
            client.check()
        except RemoteNautobotError:
            client.close()
            raise
        return client


def default_integration():
    """The External Integration named ``DEFAULT_INTEGRATION``, or None."""
    return ExternalIntegration.objects.filter(name=DEFAULT_INTEGRATION).first()


def from_integration(integration):
    """The connection an ExternalIntegration describes: remote_url, verify_ssl (or ca_file_path), timeout, and the
    token of its SecretsGroup (access type HTTP(S), secret type Token)."""
    if not integration.remote_url:
        raise RemoteNautobotError(f"External Integration {integration.name!r} has no remote URL")
    if integration.secrets_group is None:
        raise RemoteNautobotError(
            f"External Integration {integration.name!r} has no Secrets Group; give it one with an HTTP(S) Token secret"
        )
    try:
        token = integration.secrets_group.get_secret_value(
            access_type=SecretsGroupAccessTypeChoices.TYPE_HTTP,
            secret_type=SecretsGroupSecretTypeChoices.TYPE_TOKEN,
            obj=integration,
        )
    except ObjectDoesNotExist:
        raise RemoteNautobotError(
            f"Secrets Group {integration.secrets_group.name!r} has no secret of access type HTTP(S) and type Token"
        ) from None
    except SecretError as error:
        raise RemoteNautobotError(f"the token of Secrets Group {integration.secrets_group.name!r}: {error}") from None
    verify = (integration.ca_file_path or True) if integration.verify_ssl else False
    return Connection(integration.remote_url, token, verify, integration.timeout or 30, integration.name)


def resolve(integration=None, url="", token="", verify_ssl=True):
    """The connection of a job run: the chosen integration, else URL + token, else the default integration."""
    if integration is not None:
        return from_integration(integration)
    if url or token:
        if not (url and token):
            raise RemoteNautobotError("enter both the remote URL and a token, or choose an External Integration")
        return Connection(url, token, verify_ssl)
    integration = default_integration()
    if integration is None:
        raise RemoteNautobotError(
            f"no remote Nautobot given: choose an External Integration, create one named {DEFAULT_INTEGRATION!r}, "
            "or enter a URL and a token"
        )
    return from_integration(integration)
