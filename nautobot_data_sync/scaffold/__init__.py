"""The skeleton of a new sync job, written by ``nautobot-server data_sync_new`` from the templates next to this module.

``write_skeleton("cmdb", "source", folder)`` writes ``folder/cmdb/``: ``models.py`` (declarative models of locations,
device types, devices, interfaces and IP addresses), ``adapters.py`` (Nautobot's side, declared; the JSON file's
side, read), ``data.json`` (a sample), ``__init__.py`` (the job, registered), a test built on
``nautobot_data_sync.testing`` and, for a Data Target, ``file_writes.py`` (the file written back). The templates are
``string.Template`` texts: ``$name`` placeholders, nothing else is substituted.
"""

import keyword
import re
from importlib.util import find_spec
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).with_name("templates")
DIRECTIONS = ("source", "target")
NAME = re.compile(r"[a-z][a-z0-9_]*")
DATA_FILE = "data.json"


class ScaffoldError(ValueError):
    """The skeleton cannot be written; the message says why and what to do."""


def check_name(name):
    """``name`` must be a new Python module name: lower case, not a keyword, not importable already."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldError(f"name {name!r}: use lower case letters, digits and underscores, starting with a letter")
    if find_spec(name) is not None:
        raise ScaffoldError(f"name {name!r}: a module of that name is already importable; choose another")


def class_name(name, direction):
    """``cmdb_import``, "source" -> ``CmdbImportDataSource``."""
    return "".join(part.capitalize() for part in name.split("_") if part) + f"Data{direction.capitalize()}"


def skeleton_files(name, direction):
    """``{file name: text}`` of the skeleton of job ``name`` in ``direction`` ("source" or "target")."""
    if direction not in DIRECTIONS:
        raise ScaffoldError(f"direction {direction!r}: choose one of {', '.join(DIRECTIONS)}")
    values = {
        "module": name,
        "class_name": class_name(name, direction),
        "title": name.replace("_", " ").title(),
        "data_file": DATA_FILE,
        "path_variable": f"{name.upper()}_FILE",
    }

    def render(template, **extra):
        return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values, **extra)

    files = {
        "__init__.py": render(f"{direction}_job.py.tmpl"),
        "models.py": render("models.py.tmpl"),
        "adapters.py": render("adapters.py.tmpl"),
        DATA_FILE: (TEMPLATES / DATA_FILE).read_text(encoding="utf-8"),
        f"test_{name}.py": render(
            "test_job.py.tmpl",
            test_body=render(f"test_{direction}_body.tmpl"),
        ),
    }
    if direction == "target":
        files["file_writes.py"] = render("file_writes.py.tmpl")
    return files


def write_skeleton(name, direction, folder):
    """Write the skeleton into ``folder/name/`` (which must not exist yet); return that path."""
    check_name(name)
    target = Path(folder) / name
    if not Path(folder).is_dir():
        raise ScaffoldError(f"folder {folder}: no such directory")
    if target.exists():
        raise ScaffoldError(f"{target} already exists; remove it or choose another name")
    files = skeleton_files(name, direction)
    target.mkdir()
    for file_name, text in files.items():
        (target / file_name).write_text(text, encoding="utf-8")
    return target
