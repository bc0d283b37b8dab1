"""The sync engine: differ, executor, recorder, job base classes, records."""
