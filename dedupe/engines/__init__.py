"""Drivers that schedule the stages without re-implementing them: local (this process or
forked workers), dask (a Dask cluster) and incremental (a store's new articles)."""
