"""kubeconnector: governed, reversible changes to Kubernetes clusters."""

__version__ = "0.1.0"
__all__ = ["__version__"]
