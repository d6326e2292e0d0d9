"""Dates: reporting periods, month arithmetic and the retail calendar."""
