"""The facts every area reads, defined once: paid orders, the points ledger, coverage."""
