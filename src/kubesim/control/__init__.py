"""Observation and fault injection: the request log, fault rules, concurrent writers."""
