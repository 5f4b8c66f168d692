"""Hotline cases: cases, their timeline, follow-ups, referrals, and case search."""
