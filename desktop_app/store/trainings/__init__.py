"""Trainings: sessions, participants, attendance, certificates, spreadsheet import."""
