"""The watch store: an SQLite file of articles, their index, links and stories."""
