"""Analyses over the warehouse: cohorts, group comparisons (more to come: trends, drivers)."""
