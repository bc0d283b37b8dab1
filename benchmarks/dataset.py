"""The benchmarks' dataset (an inventory of N devices x 8 interfaces), their databases (copies of the test template) and
how they run a job.

Shared by inventory_sync.py, side_by_side.py and tree_deletes.py.
"""

import inspect
import json
import os
import time
from contextlib import contextmanager

from development.services import pg_connect

INTERFACES_PER_DEVICE = 8
DEVICES_PER_SITE = 20
DEVICE_TYPES = [("DCS-7280CR3-32P4", "Arista"), ("DCS-7050SX3-48YC8", "Arista"), ("MX204", "Juniper")]
ROLES = ["spine", "leaf", "edge-router"]


def make_inventory(devices, regions=3):
    """An inventory of ``devices`` devices with 8 interfaces each, and everything they refer to; their sites are
    spread over ``regions`` regions (3: Europe, Americas, Asia-Pacific)."""
    sites = max(regions, -(-devices // DEVICES_PER_SITE))
    regions = ["Europe", "Americas", "Asia-Pacific"] if regions == 3 else [f"region-{r:02d}" for r in range(regions)]
    return {
        "location_types": [
            {"name": "Region"},
            {"name": "Site", "parent": "Region", "content_types": ["dcim.device"]},
        ],
        "locations": [{"name": name, "location_type": "Region"} for name in regions]
        + [
            {"name": f"site-{s:04d}", "location_type": "Site", "parent": regions[s % len(regions)]}
            for s in range(sites)
        ],
        "manufacturers": [{"name": "Arista"}, {"name": "Juniper"}],
        "device_types": [{"model": model, "manufacturer": maker} for model, maker in DEVICE_TYPES],
        "roles": [{"name": role} for role in ROLES],
        "devices": [
            {
                "name": f"dev-{d:05d}",
                "location": f"site-{d % sites:04d}",
                "device_type": DEVICE_TYPES[d % len(DEVICE_TYPES)][0],
                "role": ROLES[d % len(ROLES)],
                "serial": f"SN{d:08d}",
                "interfaces": [
                    {"name": f"Ethernet{i + 1}", "type": "25gbase-x-sfp28", "description": f"dev-{d:05d} port {i + 1}"}
                    for i in range(INTERFACES_PER_DEVICE)
                ],
            }
            for d in range(devices)
        ],
    }


def change_inventory(inventory):
    """10% of the interface descriptions changed and 2% of the devices removed (in place)."""
    devices = inventory["devices"]
    for d, device in enumerate(devices):
        for i, interface in enumerate(device["interfaces"]):
            if (d * INTERFACES_PER_DEVICE + i) % 10 == 0:
                interface["description"] += " (changed)"
    inventory["devices"] = [device for d, device in enumerate(devices) if d % 50 != 49]


def write_inventory(inventory, path):
    """Write the inventory as JSON (which is YAML too; every contender reads it with ``parse_inventory``)."""
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(inventory, stream, indent=1)


# ---------------------------------------------------------------- database


def create_database(env, name, template):
    """(Re)create database ``name`` as a copy of ``template``; retries while the template is briefly in use."""
    conn = pg_connect(env)
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            for attempt in range(30):
                try:
                    cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                    return
                except Exception as error:  # "source database is being accessed by other users"
                    if attempt == 29 or "being accessed" not in str(error):
                        raise
                    time.sleep(1)
    finally:
        conn.close()


def drop_database(env, name):
    conn = pg_connect(env)
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        conn.close()


@contextmanager
def nautobot_on_clone(suffix, keep=False):
    """Nautobot set up (in this process) on ``<development database>_<suffix>``, a fresh copy of the migrated test
    template; the copy is dropped afterwards unless ``keep``. Yields its name."""
    from development.launch import CONFIG, ensure_template, prepare

    env = prepare()
    database = f"{env['NAUTOBOT_DB_NAME']}_{suffix}"
    create_database(env, database, ensure_template(env))
    env.update(NAUTOBOT_DB_NAME=database)
    env.setdefault("NAUTOBOT_LOG_LEVEL", "WARNING")
    os.environ.update(env)

    import nautobot

    nautobot.setup(str(CONFIG))
    from django.db import connections

    try:
        yield database
    finally:
        connections.close_all()
        if not keep:
            drop_database(env, database)


def execute_job(job_model, user, job_kwargs):
    """``JobResult.execute_job()`` (the path of ``nautobot-server runjob --local``) with the job's inputs
    ``job_kwargs``: Nautobot 3.2 takes them as ``job_kwargs=``, 3.1 as keyword arguments."""
    from nautobot.extras.models import JobResult

    if "job_kwargs" in inspect.signature(JobResult.execute_job).parameters:
        return JobResult.execute_job(job_model=job_model, user=user, job_kwargs=job_kwargs)
    return JobResult.execute_job(job_model=job_model, user=user, **job_kwargs)
