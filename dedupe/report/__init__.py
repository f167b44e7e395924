"""Renderings of a report: text, JSON (and reading it back), HTML, CSV, JSON Lines; writing
output files."""
