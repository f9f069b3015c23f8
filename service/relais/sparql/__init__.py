"""The SPARQL layer: formats and negotiation, request parsing, policy, execution and the update gate (no FastAPI)."""
