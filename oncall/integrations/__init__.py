"""Integrations with schedulers and orchestrators that call ``oncall`` from their own hooks.

* :mod:`oncall.integrations.airflow`: failure, success, SLA and deadline callbacks for
  Airflow and Cloud Composer DAGs (see docs/integrations.md).
"""
