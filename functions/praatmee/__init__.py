"""Praat mee: information site and registrations for the national basisondersteuning consultation."""

# The CloudWatch namespace of every metric the functions write (the infrastructure sets the same).
METRICS_NAMESPACE = "Praatmee"
