"""Fetching feeds and pages, and parsing feed entries into documents."""
