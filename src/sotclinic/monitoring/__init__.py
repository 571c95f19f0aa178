"""Operations: Prometheus metrics (requests, queries, the outbox) and the optional Sentry hook.

Request ids and JSON log lines are shared utilities (sotclinic.request_id, sotclinic.json_logs):
the logging set-up and gunicorn's logger use them below every app.
"""
