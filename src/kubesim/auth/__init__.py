"""Authentication and authorization: who is asking, and may they."""
