"""Normalisation of scraped texts: salary, education, experience, location, tags.

Each function is pure: text in, typed value (and warning messages) out.
"""
