"""Privacy: the audit log, a graduate's data export and deletion."""
