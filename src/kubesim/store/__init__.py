"""Object storage: one global resourceVersion, ordered keys, history for watches and lists."""
