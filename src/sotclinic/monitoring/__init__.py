"""Operations: Prometheus metrics, request ids, JSON log lines and the optional Sentry hook."""
