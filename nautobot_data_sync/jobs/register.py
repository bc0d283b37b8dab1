"""The jobs the app gives Nautobot (the app config points here): applying and reverting plans, retrying the failed
shards of a sharded sync, and the examples."""

from nautobot.apps.jobs import register_jobs

from nautobot_data_sync.jobs.examples.register import example_jobs
from nautobot_data_sync.jobs.planjobs import ApplyPlan, RetryFailedShards, RevertSync

jobs = [ApplyPlan, RevertSync, RetryFailedShards, *example_jobs()]
register_jobs(*jobs)
