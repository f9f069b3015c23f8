"""View models (trace, timeline, coverage matrix, territories map) and their matplotlib pictures (no FastAPI); ``models`` is the entry point."""
