"""The jobs the app gives Nautobot (the app config points here): applying and reverting plans, and the examples."""

from nautobot.apps.jobs import register_jobs

from nautobot_data_sync.jobs.examples.register import example_jobs
from nautobot_data_sync.jobs.planjobs import ApplyPlan, RevertSync

jobs = [ApplyPlan, RevertSync, *example_jobs()]
register_jobs(*jobs)
