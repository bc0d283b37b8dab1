"""One run at a time: a lock held by a run for as long as it lasts, that cannot outlive it.

The lock is a database advisory lock (PostgreSQL ``pg_try_advisory_lock``, MySQL ``GET_LOCK``) taken on a
connection of its own, opened for the run and closed when it ends. The database server releases the lock when that
connection closes, so a run whose worker process is killed, runs out of memory or loses its machine frees it as
well; the lock is taken or refused in one statement, so two runs started together cannot both get it. A lock is
named (by default after the job's class; jobs that write the same objects may share a name).
"""

import hashlib

from django.db import connections

LOCK_NAMESPACE = "nautobot_data_sync:"


class RunLock:
    """The lock ``name``; ``acquire()`` takes it if free (without waiting), ``release()`` gives it back."""

    def __init__(self, name, using="default"):
        self.name = name
        self.using = using
        self._connection = None

    def acquire(self):
        """Take the lock if no one holds it; True when taken."""
        connection = connections.create_connection(self.using)
        try:
            with connection.cursor() as cursor:
                cursor.execute(*self._statement(connection.vendor, "take"))
                taken = bool(cursor.fetchone()[0])
        except Exception:
            connection.close()
            raise
        if taken:
            self._connection = connection
        else:
            connection.close()
        return taken

    def release(self):
        """Give the lock back (closing its connection would too)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(*self._statement(connection.vendor, "give back"))
        finally:
            connection.close()

    @property
    def held(self):
        """Whether this object holds the lock."""
        return self._connection is not None

    def is_free(self):
        """Whether no one holds the lock now (taken and given back at once to find out)."""
        if not self.acquire():
            return False
        self.release()
        return True

    def _statement(self, vendor, action):
        if vendor == "postgresql":
            function = "pg_try_advisory_lock" if action == "take" else "pg_advisory_unlock"
            return f"SELECT {function}(%s)", [self._key()]
        if vendor == "mysql":
            if action == "take":
                return "SELECT GET_LOCK(%s, 0)", [self._mysql_name()]
            return "SELECT RELEASE_LOCK(%s)", [self._mysql_name()]
        raise NotImplementedError(f"run locks need PostgreSQL or MySQL, not {vendor}")

    def _key(self):
        """The lock's 64-bit signed key (PostgreSQL's advisory locks are numbered)."""
        digest = hashlib.sha256((LOCK_NAMESPACE + self.name).encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def _mysql_name(self):
        """At most 64 characters, as MySQL allows."""
        return f"ds-{hashlib.sha256(self.name.encode()).hexdigest()[:60]}"
