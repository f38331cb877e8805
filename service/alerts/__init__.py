"""Saved jobs (收藏的职位) and job alerts (saved searches with a daily digest of new postings)."""
