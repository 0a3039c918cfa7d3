"""The plan's rules: pure functions of the plan, what people reported and the moment (`now` is
always an argument). Standard library, pendulum and holidays only: no database, flow engine,
channel, template or terminal, so a whole plan can be simulated day by day
(tests/rules/test_purity.py holds every module here to that)."""
