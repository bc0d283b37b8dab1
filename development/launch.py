"""Development launcher: `python -m development.launch up|test|manage ...` (normally via ./dev.sh).

up             services, database (new ones are copied from the test template), migrations, admin user,
               Celery worker, example sync job run on that worker, web UI on 127.0.0.1:8080
               ($DATA_SYNC_HOST, $DATA_SYNC_PORT)
test [args]    services, a migrated template database (rebuilt when migrations change), then pytest [args]
bench [args]   the inventory sync benchmark (benchmarks/inventory_sync.py --help)
manage args    any `nautobot-server` command with the same services (e.g. `manage nbshell`)
"""

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from importlib import metadata

from development.services import REPO_ROOT, create_database, database_exists, ensure_services, pg_connect, port_open

CONFIG = REPO_ROOT / "development" / "nautobot_config.py"
BIN = os.path.dirname(sys.executable)
NAUTOBOT_SERVER = os.path.join(BIN, "nautobot-server")


def prepare():
    """Select services and return the environment for child processes."""
    env = ensure_services()
    env["NAUTOBOT_CONFIG"] = str(CONFIG)
    env.setdefault("NAUTOBOT_DB_NAME", "nautobot_data_sync")
    return env


def run(args, env, **kwargs):
    """Run a command to completion; exit with its code if it fails."""
    code = subprocess.run(args, env=env, cwd=REPO_ROOT, check=False, **kwargs).returncode
    if code:
        sys.exit(code)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


# ---------------------------------------------------------------- test
# Tests clone a migrated template database. It is built in two layers, so that a changed migration of the app
# costs seconds: "core" has Nautobot's migrations only (keyed by the Nautobot version, ~4 minutes to build),
# the app template is a copy of core plus the app's migrations (keyed by core and the app's migration files).

CLAIM_SECONDS = 6 * 3600  # a test run's claim of a Redis database ends after this, should it not be released
KEEP_TEMPLATES = 3  # most recently used templates of each layer kept (switching branches, CI next door)


def short_hash(*parts):
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:12]


def template_names(base):
    """(core template, app template) names for the current Nautobot version and app migrations."""
    core = f"{base}_tmpl_core_{short_hash(metadata.version('nautobot').encode())}"
    migrations = sorted((REPO_ROOT / "nautobot_data_sync" / "migrations").glob("*.py"))
    app = f"{base}_tmpl_{short_hash(core.encode(), *(p.name.encode() + p.read_bytes() for p in migrations))}"
    return core, app


def drop_stale_databases(cur, base):
    """Drop old templates beyond KEEP_TEMPLATES, half-built templates and test databases of dead processes."""
    base = re.escape(base)
    pattern = re.compile(rf"^(?:{base}_tmpl_(core_)?[0-9a-f]{{12}}(?:_b(\d+))?|test_{base}_(\d+))$")
    # A template's comment holds the time it was last used.
    cur.execute("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database ORDER BY 2 DESC NULLS LAST")
    kept = {"core_": 0, None: 0}
    for name, _comment in cur.fetchall():
        match = pattern.match(name)
        if not match:
            continue
        layer, builder, tester = match.groups()
        pid = builder or tester
        if not pid:
            kept[layer] += 1
        if (pid and not pid_alive(int(pid))) or (not pid and kept[layer] > KEEP_TEMPLATES):
            try:
                cur.execute(f'DROP DATABASE "{name}"')
                print(f"Dropped stale database {name}")
            except Exception as exc:  # in use by someone else: leave it
                print(f"Could not drop {name}: {exc}".strip())


def build_template(cur, env, template, source=None):
    """Migrate a new database (a copy of `source` if given) and rename it to `template` when complete."""
    building = f"{template}_b{os.getpid()}"
    log = REPO_ROOT / ".data" / f"{building}.log"
    what = "the app's migrations" if source else "Nautobot's migrations, ~4 minutes"
    print(f"Building test template {template}: {what} (log: {log})", flush=True)
    started = time.monotonic()
    cur.execute(f'CREATE DATABASE "{building}"' + (f' TEMPLATE "{source}"' if source else ""))
    log.parent.mkdir(exist_ok=True)
    with open(log, "w") as out:
        migrate = [NAUTOBOT_SERVER, "migrate", "--no-input"]
        env = {**env, "NAUTOBOT_DB_NAME": building, "DATA_SYNC_CORE_ONLY": "0" if source else "1"}
        code = subprocess.run(migrate, env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    if code == 0:
        try:
            cur.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            building = None
        except Exception:  # another run finished the same template first
            pass
    if building:
        cur.execute(f'DROP DATABASE IF EXISTS "{building}"')
    if code:
        print("".join(log.read_text().splitlines(keepends=True)[-40:]))
        sys.exit(f"Migrations failed (exit code {code}); full output in {log}")
    log.unlink()
    print(f"Built {template} in {time.monotonic() - started:.0f}s", flush=True)


def ensure_template(env):
    """Return the name of the migrated app template database, building what is missing."""
    base = env["NAUTOBOT_DB_NAME"]
    conn = pg_connect(env)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database")
            existing = {name for (name,) in cur.fetchall()}
            core, app = template_names(base)
            if app not in existing:
                if core not in existing:
                    build_template(cur, env, core)
                build_template(cur, env, app, source=core)
                existing |= {core, app}
            for name in {core, app} & existing:
                cur.execute(f"COMMENT ON DATABASE \"{name}\" IS 'test template, last used {time.time():.0f}'")
            drop_stale_databases(cur, base)
    finally:
        conn.close()
    return app


@contextmanager
def claimed_cache_database(env):
    """A Redis database number (2-15) for this test run's cache, claimed in Redis database 0 for as long as the run
    lasts: Nautobot's test cases clear the cache before each test, and two runs sharing one database would clear
    each other's (their query counts would then differ from run to run). A claim of a process that is gone is taken
    over."""
    import redis  # not at the top: importing Nautobot sets variables of this process that its children inherit
    from nautobot.core.settings_funcs import parse_redis_connection

    os.environ.update(env)
    client = redis.Redis.from_url(parse_redis_connection(redis_database=0))
    pid = str(os.getpid())
    for number in range(2, 16):
        key = f"data-sync:test-cache-database:{number}"
        holder = client.get(key)
        if holder is not None and pid_alive(int(holder)):
            continue
        if client.set(key, pid, ex=CLAIM_SECONDS, nx=holder is None) or client.get(key) == pid.encode():
            try:
                yield number
            finally:
                if client.get(key) == pid.encode():
                    client.delete(key)
            return
    sys.exit("Every Redis database from 2 to 15 is claimed by a running test run: wait for one to end.")


def cmd_test(args):
    env = prepare()
    started = time.monotonic()
    env["NAUTOBOT_DB_TEST_TEMPLATE"] = ensure_template(env)
    print(f"Test template {env['NAUTOBOT_DB_TEST_TEMPLATE']} ready ({time.monotonic() - started:.1f}s)", flush=True)
    with claimed_cache_database(env) as number:
        env["DATA_SYNC_TEST_CACHE_DB"] = str(number)
        return subprocess.run([sys.executable, "-m", "pytest", *args], env=env, cwd=REPO_ROOT, check=False).returncode


# ---------------------------------------------------------------- up


def wait_http(url, procs, timeout=180):
    """Wait until url answers 200 while every process in procs keeps running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in procs):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


def stop(procs):
    """Stop background processes and everything they started (each runs in its own process group)."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def cmd_up(args):
    port = os.environ.get("DATA_SYNC_PORT", "8080")
    host = os.environ.get("DATA_SYNC_HOST", "127.0.0.1")  # this machine only: the admin user's password is "admin"
    if port_open("127.0.0.1", int(port)):
        sys.exit(f"Port {port} is already in use: stop what uses it or set DATA_SYNC_PORT.")
    env = prepare()
    if not database_exists(env, env["NAUTOBOT_DB_NAME"]):  # start from the migrated template that tests use
        create_database(env, env["NAUTOBOT_DB_NAME"], template=ensure_template(env))
    print("Applying migrations...", flush=True)
    run([NAUTOBOT_SERVER, "migrate", "--no-input"], env)

    def background(args):
        return subprocess.Popen(args, env=env, cwd=REPO_ROOT, start_new_session=True)

    procs = [background([NAUTOBOT_SERVER, "celery", "worker", "--loglevel", "INFO", "--concurrency", "2"])]
    try:
        # The demo queues the example sync job to the worker and waits for it (the worker must stay up).
        demo = subprocess.Popen([sys.executable, "development/demo.py"], env=env, cwd=REPO_ROOT)
        while demo.poll() is None:
            if procs[0].poll() is not None:
                demo.terminate()
                sys.exit("The Celery worker stopped; see its output above.")
            time.sleep(0.5)
        if demo.returncode:
            print("WARNING: the example sync did not succeed; see above. Continuing.", flush=True)

        procs.append(background([NAUTOBOT_SERVER, "runserver", f"{host}:{port}", "--insecure"]))
        if wait_http(f"http://127.0.0.1:{port}/login/", procs):
            print(f"\nNautobot is up: http://{host}:{port}  (login admin / admin).  Ctrl-C stops everything.\n")
        else:
            print(f"WARNING: http://localhost:{port}/login/ did not answer; see the output above.", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("A background process stopped; shutting down.")
        return 1
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        stop(procs)


def cmd_bench(args):
    """The inventory sync benchmark (it prepares its own database from the test template)."""
    env = prepare()
    script = REPO_ROOT / "benchmarks" / "inventory_sync.py"
    return subprocess.run([sys.executable, str(script), *args], env=env, cwd=REPO_ROOT, check=False).returncode


def cmd_manage(args):
    return subprocess.run([NAUTOBOT_SERVER, *args], env=prepare(), cwd=REPO_ROOT, check=False).returncode


def main():
    # Ctrl-C raises KeyboardInterrupt even when started in the background; `kill` and a closed terminal exit
    # cleanly too, so that embedded servers and background processes are stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(143))
    commands = {"up": cmd_up, "test": cmd_test, "bench": cmd_bench, "manage": cmd_manage}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    try:
        sys.exit(commands[sys.argv[1]](sys.argv[2:]))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
