"""Member value: RFM segments and member tiers as of a date (DESIGN §7)."""
