"""The API machinery of kubesim: request parsing, Status errors, the resource table."""
