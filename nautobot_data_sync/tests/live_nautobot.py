"""A second, real Nautobot for tests and benchmarks: the "remote" of the Nautobot-to-Nautobot example jobs.

``LiveNautobot(template)`` copies the migrated template database (``CREATE DATABASE ... TEMPLATE``), creates a
superuser token in the copy, and serves it with ``nautobot-server runserver --noreload`` (or, given ``processes``,
with Nautobot's uWSGI server, ``nautobot-server start``) on a free port of 127.0.0.1 (its own process group, its own
cache key prefix). ``stop()`` ends the server and drops the database; use
it as a context manager so that this happens on failure too. ``database`` is a Django connection alias to the copy,
for seeding it through the ORM. Needs Django set up (pytest's conftest or ``nautobot.setup()``).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = REPO_ROOT / "nautobot_data_sync" / "tests" / "live_nautobot_config.py"
NAUTOBOT_SERVER = Path(sys.executable).with_name("nautobot-server")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_connection():
    """An autocommit psycopg2 connection to the server's "postgres" database, for CREATE/DROP DATABASE."""
    import psycopg2  # installed with Nautobot

    default = settings.DATABASES["default"]
    connection = psycopg2.connect(
        host=default["HOST"],
        port=default["PORT"] or 5432,
        user=default["USER"],
        password=default["PASSWORD"],
        dbname="postgres",
        connect_timeout=5,
    )
    connection.autocommit = True
    return connection


class LiveNautobot:
    """A Nautobot served from its own copy of ``template``; see the module docstring."""

    def __init__(self, template, name=None, startup_timeout=180, processes=None):
        self.template = template
        self.processes = processes
        self.name = name or f"data_sync_remote_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.database = self.name
        self.startup_timeout = startup_timeout
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.token = uuid.uuid4().hex + uuid.uuid4().hex[:8]
        self.process = None
        self._log = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        self._create_database()
        self._add_connection()
        self._create_token()
        self._serve()

    def stop(self):
        """Stop the server, close the ORM connection and drop the database (each step also after a failed one)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        connection = getattr(connections._connections, self.database, None)
        if connection is not None:
            connection.close()
            del connections[self.database]
        if self._log:
            self._log.close()
        connection = _admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            connection.close()

    def session(self):
        """A ``requests.Session`` authenticated with the superuser token."""
        session = requests.Session()
        session.headers.update({"Authorization": f"Token {self.token}", "Accept": "application/json"})
        return session

    def _create_database(self):
        connection = _admin_connection()
        try:
            with connection.cursor() as cursor:
                for attempt in range(60):
                    try:
                        cursor.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template}"')
                        return
                    except Exception as error:  # "source database is being accessed by other users": a clone runs
                        if attempt == 59 or "being accessed" not in str(error):
                            raise
                        time.sleep(1)
        finally:
            connection.close()

    def _add_connection(self):
        """Register the alias as a connection only (not in the settings), which Django's test cases allow."""
        settings_dict = {**connections.settings["default"], "NAME": self.name, "TEST": {}}
        backend = load_backend(settings_dict["ENGINE"])
        setattr(connections._connections, self.database, backend.DatabaseWrapper(settings_dict, self.database))

    def _create_token(self):
        from nautobot.users.models import Token, User

        user = User(username="remote-admin", is_superuser=True, is_staff=True, is_active=True)
        user.set_unusable_password()
        user.save(using=self.database)
        Token(user=user, key=self.token).save(using=self.database)

    def _serve(self):
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATA_SYNC_TESTING", "NAUTOBOT_DB_TEST_TEMPLATE", "DJANGO_SETTINGS_MODULE")
        }
        env.update(
            NAUTOBOT_CONFIG=str(CONFIG),
            NAUTOBOT_DB_NAME=self.name,
            NAUTOBOT_LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        )
        self._log = tempfile.NamedTemporaryFile("w+", prefix=f"{self.name}-", suffix=".log")  # noqa: SIM115
        address = f"127.0.0.1:{self.port}"
        if self.processes:  # uWSGI, as Nautobot is deployed: requests served by several processes at once
            options = [
                "--master",
                "--lazy-apps",
                "--die-on-term",
                "--http-keepalive",
                "--http-timeout=600",
                "--buffer-size=32768",
            ]
            command = [str(NAUTOBOT_SERVER), "start", f"--http={address}", f"--processes={self.processes}", *options]
        else:  # runserver, threaded: quicker to start
            command = [str(NAUTOBOT_SERVER), "runserver", "--noreload", address]
        self.process = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        session = self.session()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the remote Nautobot exited with code {self.process.returncode}:\n{self._tail()}")
            try:
                if session.get(f"{self.url}api/status/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the remote Nautobot did not answer within {self.startup_timeout} s:\n{self._tail()}")

    def _tail(self, lines=40):
        self._log.flush()
        return "".join(Path(self._log.name).read_text().splitlines(keepends=True)[-lines:])
