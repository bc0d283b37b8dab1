"""The remote Nautobot client, connection and UI hooks, against a small local HTTP server playing the far side.

The server is real (``http.server`` on a loopback port) and answers what each test scripts: a wrong version, a
refused token, 429 before success, capped pages. The live end-to-end test is test_remote_nautobot_live.py.
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from django.test import SimpleTestCase
from nautobot.apps.testing import TestCase
from nautobot.extras.choices import SecretsGroupAccessTypeChoices
from nautobot.extras.models import ExternalIntegration, Secret, SecretsGroup, SecretsGroupAssociation

from nautobot_data_sync.jobs.examples.nautobot_remote import RemoteNautobotDataSource, RemoteNautobotDataTarget
from nautobot_data_sync.jobs.examples.nautobot_remote import connection as remote_connection
from nautobot_data_sync.jobs.examples.nautobot_remote.client import RemoteNautobot, RemoteNautobotError
from nautobot_data_sync.jobs.examples.nautobot_remote.models import Device, IPAddress, Prefix
from nautobot_data_sync.jobs.examples.nautobot_remote.rest import payload


class FakeNautobot:
    """A loopback HTTP server; ``routes`` maps ``(method, path)`` to a list of ``(status, body, headers)`` answers,
    given in turn (the last one repeats). ``requests`` records ``(method, path, query)``."""

    def __init__(self, routes):
        self.routes = routes
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                fake.requests.append((self.command, url.path, parse_qs(url.query)))
                answers = fake.routes.get((self.command, url.path)) or [(404, {"detail": "Not found."}, {})]
                status, body, headers = answers.pop(0) if len(answers) > 1 else answers[0]
                if callable(body):
                    body = body(parse_qs(url.query))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


STATUS_OK = (200, {"nautobot-version": "3.2.0"}, {"API-Version": "3.2"})


class ClientTest(SimpleTestCase):
    def serve(self, routes):
        fake = FakeNautobot(routes)
        self.addCleanup(fake.close)
        return fake

    def remote(self, fake, **options):
        client = RemoteNautobot(fake.url, "secret-token", backoff_factor=0, **options)
        self.addCleanup(client.close)
        return client

    def test_unsupported_version_is_refused_naming_both_versions(self):
        fake = self.serve({("GET", "/api/status/"): [(200, {"nautobot-version": "1.6.2"}, {"API-Version": "1.3"})]})
        with self.assertRaises(RemoteNautobotError) as raised:
            self.remote(fake).check()
        self.assertEqual(
            str(raised.exception),
            f"the remote Nautobot at {fake.url} runs version 1.6.2 (API-Version 1.3); this job supports Nautobot "
            "2.0 up to (not including) 4.0",
        )

    def test_something_else_than_nautobot_is_refused(self):
        fake = self.serve({("GET", "/api/status/"): [(200, {"hello": "world"}, {})]})
        with self.assertRaisesRegex(RemoteNautobotError, "does not look like Nautobot: GET api/status/ answered 200"):
            self.remote(fake).check()

    def test_refused_token_says_so(self):
        fake = self.serve({("GET", "/api/status/"): [(403, {"detail": "Invalid token"}, {})]})
        with self.assertRaises(RemoteNautobotError) as raised:
            self.remote(fake).check()
        self.assertEqual(
            str(raised.exception),
            f"the remote Nautobot at {fake.url} refused the token (403 on GET api/status/: Invalid token); "
            "check the token and its user's permissions",
        )

    def test_unreachable_url_says_so(self):
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        client = RemoteNautobot(f"http://127.0.0.1:{port}", "token", retries=1, backoff_factor=0)
        with self.assertRaisesRegex(
            RemoteNautobotError, f"cannot reach the remote Nautobot at http://127.0.0.1:{port}/"
        ):
            client.check()

    def test_429_and_503_are_retried_and_counted(self):
        fake = self.serve(
            {
                ("GET", "/api/status/"): [
                    (429, {"detail": "slow down"}, {"Retry-After": "0"}),
                    (503, {"detail": "busy"}, {}),
                    STATUS_OK,
                ]
            }
        )
        client = self.remote(fake)
        self.assertEqual(client.check(), "3.2.0")
        self.assertEqual(client.requests_made, 3)
        self.assertEqual(len(fake.requests), 3)

    def test_a_post_is_not_repeated_after_a_500(self):
        fake = self.serve({("POST", "/api/dcim/manufacturers/"): [(500, {"detail": "boom"}, {}), (201, [{}], {})]})
        client = self.remote(fake)
        [(batch, response)] = list(client.bulk("POST", "api/dcim/manufacturers/", [{"name": "a"}]))
        self.assertEqual((batch, response.status_code), ([{"name": "a"}], 500))
        self.assertEqual(len(fake.requests), 1)

    def test_bulk_writes_send_lists_of_batch_size(self):
        fake = self.serve({("PATCH", "/api/dcim/devices/"): [(200, [], {})]})
        client = self.remote(fake, batch_size=2)
        items = [{"id": str(number), "serial": "x"} for number in range(5)]
        batches = [batch for batch, _ in client.bulk("PATCH", "api/dcim/devices/", items)]
        self.assertEqual(batches, [items[0:2], items[2:4], items[4:5]])
        self.assertEqual(len(fake.requests), 3)

    def test_collections_are_read_page_by_page_in_parallel_or_not(self):
        records = [{"id": str(number), "name": f"device-{number}"} for number in range(5)]

        def page(query):  # the server caps pages at 2 records, whatever the client asks
            offset = int(query["offset"][0])
            return {"count": len(records), "results": records[offset : offset + 2]}

        fake = self.serve(
            {
                ("GET", "/api/dcim/devices/"): [(200, page, {})],
                ("GET", "/api/dcim/manufacturers/"): [(200, {"count": 0, "results": []}, {})],
            }
        )
        endpoints = {
            "device": ("api/dcim/devices/", {"location": "ams01"}),
            "manufacturer": ("api/dcim/manufacturers/", {}),
        }
        for parallel in (True, False):
            fake.requests.clear()
            client = self.remote(fake, page_size=1000)
            result = client.fetch_collections(endpoints, parallel=parallel)
            self.assertEqual(result, {"device": records, "manufacturer": []})
            self.assertEqual(client.requests_made, 4)  # 3 pages of devices, 1 of manufacturers
            device_queries = [query for _, path, query in fake.requests if path == "/api/dcim/devices/"]
            self.assertEqual(sorted(query["offset"][0] for query in device_queries), ["0", "2", "4"])
            self.assertTrue(all(query["location"] == ["ams01"] and query["depth"] == ["0"] for query in device_queries))


class PayloadTest(SimpleTestCase):
    def test_references_are_natural_key_lookups(self):
        values = {
            "name": "leaf",
            "device_type__manufacturer__name": "Arista",
            "device_type__model": "DCS-7280",
            "platform__name": None,
            "tags": ["core", "gold"],
        }
        self.assertEqual(
            payload(Device, values),
            {
                "name": "leaf",
                "device_type": {"manufacturer__name": "Arista", "model": "DCS-7280"},
                "platform": None,
                "tags": [{"name": "core"}, {"name": "gold"}],
            },
        )

    def test_prefixes_and_ip_addresses_are_written_as_nautobot_expects(self):
        prefix = {"namespace__name": "Global", "network": "10.0.0.0", "prefix_length": 24, "type": "network"}
        self.assertEqual(
            payload(Prefix, prefix), {"namespace": {"name": "Global"}, "prefix": "10.0.0.0/24", "type": "network"}
        )
        address = {"parent__namespace__name": "Customer", "host": "10.0.0.1", "mask_length": 24, "dns_name": ""}
        self.assertEqual(
            payload(IPAddress, address),
            {"address": "10.0.0.1/24", "namespace": {"name": "Customer"}, "dns_name": ""},
        )


class ConnectionAndUITest(TestCase):
    def test_without_integration_url_or_token_the_error_says_what_to_do(self):
        with self.assertRaisesRegex(RemoteNautobotError, "choose an External Integration, create one named"):
            remote_connection.resolve()
        with self.assertRaisesRegex(RemoteNautobotError, "enter both the remote URL and a token"):
            remote_connection.resolve(url="https://nautobot.example.com")

    def test_integration_without_secrets_group_or_token_secret(self):
        integration = ExternalIntegration.objects.create(name="Remote Nautobot", remote_url="https://n.example.com")
        with self.assertRaisesRegex(RemoteNautobotError, "'Remote Nautobot' has no Secrets Group"):
            remote_connection.resolve()
        integration.secrets_group = SecretsGroup.objects.create(name="empty")
        integration.validated_save()
        with self.assertRaisesRegex(RemoteNautobotError, "'empty' has no secret of access type HTTP"):
            remote_connection.resolve(integration=integration)

    def test_data_mappings_link_both_sides_and_config_information_never_shows_a_token(self):
        self.assertTrue(all(m.source_url is None for m in RemoteNautobotDataSource.data_mappings()))
        self.assertIn("not configured", RemoteNautobotDataSource.config_information()["Remote Nautobot"])
        secret = Secret.objects.create(name="token", provider="text-file", parameters={"path": __file__})
        group = SecretsGroup.objects.create(name="remote")
        SecretsGroupAssociation.objects.create(
            secrets_group=group, secret=secret, access_type=SecretsGroupAccessTypeChoices.TYPE_HTTP, secret_type="token"
        )
        integration = ExternalIntegration.objects.create(
            name="Remote Nautobot",
            remote_url="https://n.example.com/",
            verify_ssl=False,
            timeout=7,
            secrets_group=group,
        )
        device = next(m for m in RemoteNautobotDataSource.data_mappings() if m.target_name.startswith("Devices"))
        self.assertEqual(
            (device.source_name, device.source_url, device.target_name, device.target_url),
            (
                "Devices (Remote Nautobot)",
                "https://n.example.com/dcim/devices/",
                "Devices (this Nautobot)",
                "/dcim/devices/",
            ),
        )
        backwards = next(m for m in RemoteNautobotDataTarget.data_mappings() if m.source_name.startswith("Devices"))
        self.assertEqual(
            (backwards.source_url, backwards.target_url), ("/dcim/devices/", "https://n.example.com/dcim/devices/")
        )
        info = RemoteNautobotDataTarget.config_information()
        self.assertEqual(
            (info["Remote Nautobot"], info["External Integration"], info["TLS verification"], info["Timeout"]),
            ("https://n.example.com/", "Remote Nautobot", "off", "7 s"),
        )
        self.assertIn("IP addresses", info["Models"])
        token = remote_connection.from_integration(integration).token  # this file's text, read by the secret
        self.assertIn("never shows a token", token)
        self.assertFalse(any(token in str(value) for value in info.values()))
