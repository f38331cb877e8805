"""Interviews (面试): an employer proposes times for an application, the graduate answers."""
