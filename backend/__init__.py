"""Fieldscan: audit physical assets with a phone."""

__version__ = "0.1.0"
