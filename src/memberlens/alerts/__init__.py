"""Anomaly alerts on the daily series of the core metrics (see :mod:`.detect`)."""
