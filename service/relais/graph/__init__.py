"""The graph layer: the store and its backends, labels, SHACL validation (no HTTP, no SPARQL protocol)."""
