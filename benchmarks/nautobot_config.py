"""Nautobot configuration of the side-by-side benchmark: the development configuration, plus nautobot-ssot.

nautobot-ssot (the `bench` extra) is enabled when installed, so that all contenders run on the same Nautobot with
the same apps. The benchmark's own jobs live in JOBS_ROOT (benchmarks/jobs/), where Nautobot (re)loads them as it
does any installed job.
"""

import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from development.nautobot_config import *  # noqa: E402, F403

SSOT_INSTALLED = importlib.util.find_spec("nautobot_ssot") is not None
if SSOT_INSTALLED:
    PLUGINS = [*PLUGINS, "nautobot_ssot"]  # noqa: F405
    PLUGINS_CONFIG["nautobot_ssot"] = {"hide_example_jobs": True}  # noqa: F405

JOBS_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jobs")
