"""REST API of the Data Sync records (read-only, plus deletion of Data Syncs for retention)."""
