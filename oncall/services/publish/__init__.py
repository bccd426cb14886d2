"""Publishing the schedule where the team already is (one module per target).

``pagerduty``: the rotation as overrides on a PagerDuty schedule; ``slack``: the on-call user
group and the handoff notice; ``notices``: telling people whose announced shifts moved;
``mapping``: person -> PagerDuty user; ``problems``: what validate and doctor report.
The store remembers what was published, per target and rotation.
"""
