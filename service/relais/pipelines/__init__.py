"""Batch jobs over the graph: inventory import, linking, synthetic data, push to a remote store."""
