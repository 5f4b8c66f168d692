"""Workplace inspections, employers and violations."""
