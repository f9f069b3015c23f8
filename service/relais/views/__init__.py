"""View models (trace, timeline, coverage) and their matplotlib pictures (no FastAPI)."""
