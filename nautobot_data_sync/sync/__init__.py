"""The sync engine: phase metrics, change recording, diff execution and job-log bridging. No views here."""
