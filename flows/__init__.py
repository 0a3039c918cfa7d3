"""Prefect flows: they only orchestrate tasks; schedules and triggers are attached when the
flows are served (flows/serve.py), not here."""
