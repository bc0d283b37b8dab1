"""Nautobot configuration of the second Nautobot that tests start (live_nautobot.py): the development one, with a
cache key prefix of its own so that it never reads what another Nautobot on the same Redis cached."""

import os

from development.nautobot_config import *  # noqa: F403

CACHES["default"]["KEY_PREFIX"] = os.environ["NAUTOBOT_DB_NAME"]  # noqa: F405
