"""Runs of scheduled jobs: one record per job and scheduled fire time, so that several scheduler
processes on one database run each job once (:mod:`service.jobs.runs`)."""
