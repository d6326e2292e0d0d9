"""Synthetic loyalty programs with planted truths (``truth.json``) for demos and tests."""

from memberlens.generate.program import TRUTH_FILE, generate

__all__ = ["TRUTH_FILE", "generate"]
