"""Relais: a knowledge graph of the 2020 'anticiper la sortie de crise' initiative, served over SPARQL."""

__version__ = "0.1.0"
__all__ = ["__version__"]
