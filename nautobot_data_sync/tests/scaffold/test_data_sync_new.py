"""``nautobot-server data_sync_new``: the skeleton lands in JOBS_ROOT (or another folder), Nautobot finds its job, a
dry-run succeeds, its own tests (on ``nautobot_data_sync.testing``) pass, and its user code stays within 100 lines."""

import ast
import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from nautobot.apps.testing import TestCase, TransactionTestCase

from nautobot_data_sync.installed_jobs import installed_sync_jobs
from nautobot_data_sync.scaffold import skeleton_files
from nautobot_data_sync.testing import SyncTestMixin, installed_job, jobs_root

REPO_ROOT = Path(__file__).resolve().parents[3]
SAMPLE_CREATES = {"location": 2, "device_type": 1, "device": 2, "interface": 3, "ip_address": 2}


def code_lines(text):
    """Lines of Python code: not blank, not comments, not docstrings."""
    docstrings = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and ast.get_docstring(node) is not None:
            docstrings.update(range(node.body[0].lineno, node.body[0].end_lineno + 1))
    return sum(
        1
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    )


def run_pytest(folder, *paths):
    """Run pytest on ``paths`` in a process of its own, with this project's conftest and ``folder`` as JOBS_ROOT."""
    environment = {
        **os.environ,
        "NAUTOBOT_JOBS_ROOT": str(folder),
        "PYTHONPATH": os.pathsep.join([str(folder), str(REPO_ROOT)]),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-c", str(REPO_ROOT / "pyproject.toml")]
    return subprocess.run(
        [*command, *map(str, paths)], env=environment, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600
    )


class DataSyncNewTest(SyncTestMixin, TransactionTestCase):
    def test_source_and_target_in_jobs_root(self):
        with jobs_root() as folder:
            output = StringIO()
            call_command("data_sync_new", "cmdb_devices", "--direction", "source", stdout=output)
            call_command("data_sync_new", "cmdb_export", "--direction", "target", stdout=StringIO())
            self.assertIn(f"Wrote {folder / 'cmdb_devices'}", output.getvalue())
            self.assertTrue((folder / "cmdb_devices" / "data.json").is_file())
            self.assertIn("Nautobot lists the job", output.getvalue())
            source = installed_job("cmdb_devices", "CmdbDevicesDataSource")
            target = installed_job("cmdb_export", "CmdbExportDataTarget")

            self.user.is_superuser = True
            self.user.save()
            kinds = {job.job_class: job.kind for job in installed_sync_jobs(self.user)}
            self.assertEqual((kinds[source], kinds[target]), ("Data Source", "Data Target"))
            self.assertEqual(
                [mapping.target_name for mapping in source.data_mappings()],
                ["location", "device type", "device", "IP address", "interface"],
            )

            plan = self.run_sync(source)
            self.assertSyncSucceeded(plan)
            self.assertChanges(plan, {model: {"create": count} for model, count in SAMPLE_CREATES.items()})

            result = run_pytest(folder, folder / "cmdb_devices", folder / "cmdb_export")
        failures = [line for line in result.stdout.splitlines() if line.startswith(("E ", "FAILED", "ERROR"))]
        self.assertEqual(result.returncode, 0, "\n".join(failures) or result.stderr[-3000:])
        self.assertIn("3 passed", result.stdout)


class SkeletonTest(TestCase):
    def test_a_five_model_source_fits_in_100_lines_of_user_code(self):
        files = skeleton_files("cmdb_devices", "source")
        lines = {name: code_lines(files[name]) for name in ("models.py", "adapters.py", "__init__.py")}
        self.assertLessEqual(sum(lines.values()), 100, lines)

    def test_into_another_folder(self):
        with tempfile.TemporaryDirectory() as folder:
            call_command("data_sync_new", "cmdb_devices", "--direction", "target", "--into", folder, stdout=StringIO())
            written = sorted(path.name for path in Path(folder, "cmdb_devices").iterdir())
        expected = ["__init__.py", "adapters.py", "data.json", "file_writes.py", "models.py", "test_cmdb_devices.py"]
        self.assertEqual(written, expected)

    def test_bad_input_is_refused_with_the_reason(self):
        with tempfile.TemporaryDirectory() as folder:
            call_command("data_sync_new", "cmdb", "--direction", "source", "--into", folder, stdout=StringIO())
            cases = [
                (("cmdb",), rf"{folder}/cmdb already exists"),
                (("Cmdb-Sync",), r"name 'Cmdb-Sync': use lower case letters"),
                (("json",), r"name 'json': a module of that name is already importable"),
            ]
            for arguments, message in cases:
                with self.subTest(arguments), self.assertRaisesRegex(CommandError, message):
                    call_command("data_sync_new", *arguments, "--direction", "source", "--into", folder)
            with self.assertRaisesRegex(CommandError, r"folder /nonexistent: no such directory"):
                call_command("data_sync_new", "cmdb2", "--direction", "source", "--into", "/nonexistent")
