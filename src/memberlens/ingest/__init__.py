"""Ingestion: read sources, map headers, validate, quarantine and upsert (DESIGN §5)."""

from memberlens.ingest.load import IngestResult, ingest

__all__ = ["IngestResult", "ingest"]
