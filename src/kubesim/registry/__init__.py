"""The REST semantics of the API server: reads, writes, patches and deletes over storage."""
