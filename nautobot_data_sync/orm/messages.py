"""Error messages of declarative writes, naming fields as they are declared and objects as users know them."""

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import ProtectedError

CUSTOM_FIELD_IN_MESSAGE = re.compile(r"custom field '([^']+)'")


def protected_message(error, shown=3):
    """A ProtectedError/RestrictedError as ``cannot be deleted: referenced by 3 devices (a, b, c)``."""
    blocking = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    return f"cannot be deleted: referenced by {counted(blocking, shown)}"


def cascade_message(kept, shown=3):
    """Objects a delete would take with it as ``cannot be deleted: it would also delete 2 locations this sync keeps
    (a, b)``."""
    return f"cannot be deleted: it would also delete {counted(kept, shown, ' this sync keeps')}"


def counted(objects, shown=3, qualifier=""):
    """``objects`` counted by model: ``1 controller (wlc-1); 4 devices (a, b, c, ...)``."""
    by_model = {}
    for obj in objects:
        by_model.setdefault(obj._meta, []).append(str(obj))
    groups = []
    for meta, names in sorted(by_model.items(), key=lambda item: item[0].label):
        names.sort()
        noun = meta.verbose_name if len(names) == 1 else meta.verbose_name_plural
        listed = ", ".join(names[:shown] + (["..."] if len(names) > shown else []))
        groups.append(f"{len(names)} {noun}{qualifier} ({listed})")
    return "; ".join(groups)


def fields_of(plan, error):
    """A ValidationError as ``field: message; ...`` using the declared field names where possible."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    declared = {}
    for name in (*plan.plain, *plan.custom_fields, *plan.relationships):
        for django_name in plan.django_names(name):
            declared.setdefault(django_name, name)
    for group in plan.foreign_keys.values():
        declared[group.name] = "+".join(group.paths)
    for m2m in plan.many_to_many:
        declared[m2m.accessor] = m2m.name
    parts = []
    for field_name, errors in error.message_dict.items():
        if field_name == NON_FIELD_ERRORS:  # Nautobot's custom field errors name the key in the message
            for message in errors:
                key = CUSTOM_FIELD_IN_MESSAGE.search(message)
                parts.append(f"{declared.get(f'cf_{key[1]}', key[1]) if key else field_name}: {message}")
            continue
        label = declared.get(field_name, field_name)
        parts.append(f"{label}: {' '.join(errors)}")
    return "; ".join(parts)
