"""Praat mee: information site and registrations for the national basisondersteuning consultation."""
