"""Prefect tasks: thin wrappers, each around one step, setting their own retries.

The work itself is in the core (programme/): these only give each step a name, a place in the
flow-run graph and a retry policy.
"""
