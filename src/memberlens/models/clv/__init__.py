"""Customer lifetime value: the per-member summary (DESIGN §8), BG/NBD and Gamma-Gamma fitted
by maximum likelihood, the discounted CLV and its holdout validation."""
