"""rdflib-endpoint over one RDF file, as its own `rdflib-endpoint serve` does it (bench peer).

Usage: python bench/rdflib_endpoint_server.py FILE.nq PORT

The same recipe as rdflib-endpoint's CLI (an rdflib ``Dataset`` with ``default_union=True``,
``SparqlEndpoint``, ``uvicorn.run``), without its optional ``click`` dependency.
"""

from __future__ import annotations

import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    path, port = sys.argv[1], int(sys.argv[2])
    dataset = Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
