"""The program's rules: the tier ladder as of a date, the tiers members hold over time, and
what-if replays of candidate rules (docs/segments.md)."""
