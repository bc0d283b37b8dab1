"""Port a job file written for nautobot-ssot by rewriting its imports, and nothing else.

    python -m nautobot_data_sync.compat.port jobs/my_sync.py [more files...]

Each ``from nautobot_ssot... import a, b as c`` becomes ``from nautobot_data_sync.compat.ssot import a, b as c`` in
place (on the same lines, so a diff of the two files shows import lines only). A name ``compat.ssot`` does not provide,
or an ``import nautobot_ssot...`` statement, is an error naming the file, the line and the name: see
docs/migrating-from-nautobot-ssot.md for what replaces it.
"""

import ast
import difflib
import sys
from pathlib import Path

SOURCE_PACKAGE = "nautobot_ssot"
SSOT_MODULE = Path(__file__).with_name("ssot.py")
TARGET_MODULE = "nautobot_data_sync.compat.ssot"


class PortError(ValueError):
    """The file uses something of nautobot-ssot that cannot be ported by its imports."""


def ssot_names():
    """The names ``compat.ssot`` exports (its ``__all__``), read from its source: importing it needs Nautobot set up,
    and this tool runs without."""
    for node in ast.parse(SSOT_MODULE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "__all__" for target in node.targets):
            return frozenset(ast.literal_eval(node.value))
    raise RuntimeError(f"{SSOT_MODULE} has no __all__")


def _is_ssot(module):
    return module == SOURCE_PACKAGE or (module or "").startswith(SOURCE_PACKAGE + ".")


def port_source(text, filename="<source>"):
    """``text`` (a Python module) with its nautobot-ssot imports rewritten to ``compat.ssot``."""
    lines = text.splitlines(keepends=True)
    statements = []
    for node in ast.walk(ast.parse(text, filename)):
        if isinstance(node, ast.Import) and any(_is_ssot(alias.name) for alias in node.names):
            raise PortError(f"{filename}:{node.lineno}: import the names instead: from {TARGET_MODULE} import ...")
        if isinstance(node, ast.ImportFrom) and _is_ssot(node.module):
            statements.append(node)
    known = ssot_names()
    for node in sorted(statements, key=lambda node: node.lineno, reverse=True):
        for alias in node.names:
            if alias.name not in known:
                raise PortError(
                    f"{filename}:{node.lineno}: {node.module}.{alias.name} has no counterpart in {TARGET_MODULE} "
                    "(see docs/migrating-from-nautobot-ssot.md)"
                )
        first, last = node.lineno - 1, node.end_lineno - 1
        indent = lines[first][: node.col_offset]
        names = ", ".join(alias.name + (f" as {alias.asname}" if alias.asname else "") for alias in node.names)
        ending = lines[last][node.end_col_offset :]
        lines[first : last + 1] = [f"{indent}from {TARGET_MODULE} import {names}{ending}"]
    return "".join(lines)


def changed_lines(before, after):
    """``(removed, added)``: the lines of ``before`` a port took out and those it put in (texts of two files)."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    lines = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
    return [line[1:] for line in lines if line[0] == "-"], [line[1:] for line in lines if line[0] == "+"]


def main(paths):
    """Rewrite each file in place; report how many import statements changed. Returns the exit status."""
    for path in map(Path, paths):
        before = path.read_text(encoding="utf-8")
        try:
            after = port_source(before, str(path))
        except PortError as error:
            print(error, file=sys.stderr)
            return 1
        removed, added = changed_lines(before, after)
        path.write_text(after, encoding="utf-8")
        print(f"{path}: {len(removed)} line(s) of nautobot-ssot imports replaced by {len(added)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
