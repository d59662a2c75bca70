"""The kubeconnector demo: the whole product story against a kubesim cluster.

``python -m kubeconnector.demo`` (``scripts/demo``) starts kubesim with its demo scenario as a
process, registers it as a connector in a fresh temporary home, and runs the real
``kubeconnector`` command line step by step, printing each command and its output: connection
test, discovery, a Secret's consumers, RBAC findings, a planned, approved, executed, verified and
rolled-back Secret rotation, and the ledger. ``--serve`` instead prepares the same connector,
creates four users and runs ``kubeconnector serve`` until interrupted.

The library never imports kubesim: the cluster is reached only through the process's ready line,
the kubeconfig it writes and its HTTPS control API.
"""
