"""The ``kubeconnector`` command line: a thin layer over `kubeconnector.session.Session`.

Every command takes ``--json`` (one JSON document on stdout) and ``--as USER`` (the acting
user for the ledger; default ``KUBECONNECTOR_USER``, else the login name). Errors print one
line on stderr and exit with the codes listed in `kubeconnector.cli.errors`.
"""

from kubeconnector.cli.app import app, main

__all__ = ["app", "main"]
