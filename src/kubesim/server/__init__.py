"""The HTTP face of the emulator: TLS, authentication, routing, encodings, watch streams."""
