"""What discovery needs from the cluster access layer: paginated lists of raw objects.

Discovery is written against these small protocols so it can be driven by the connector's
cluster client or by a test double. A page is a list of raw item dicts exactly as the API
server sent them (list items carry no ``kind``/``apiVersion``; metadata-only items are
``PartialObjectMetadata``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from kubeconnector.kube.pager import KindLike

RawObject = dict[str, Any]
Page = list[RawObject]


class ListSource(Protocol):
    """Lists one resource page by page (``limit``/``continue``), retrying as it sees fit.

    Implementations raise `kubeconnector.errors.Forbidden` when the identity may not list the
    resource and other `kubeconnector.errors.ClusterError` subclasses for anything else.
    After an expired continue token they restart the list; items already yielded may be
    yielded again (discovery keeps the last copy of each object).
    """

    def list_pages(
        self,
        kind: KindLike,
        namespace: str | None,
        *,
        metadata_only: bool = False,
        limit: int = 500,
        field_selector: str | None = None,
    ) -> Iterator[Page]:
        """Yield the pages of one list.

        Args:
            kind: What to list (a `kubeconnector.kube.pager.KindLike`, e.g. a ``KindSpec``).
            namespace: Only this namespace (None: all namespaces, or a cluster-scoped kind).
            metadata_only: Ask for ``PartialObjectMetadataList`` (no spec, status or data).
            limit: Items per page.
            field_selector: A field selector, e.g. ``type=kubernetes.io/tls``.
        """
        ...  # pragma: no cover


@runtime_checkable
class CountingSource(Protocol):
    """A source that counts what it did (optional; reported in the discovery result)."""

    @property
    def request_count(self) -> int:
        """HTTP requests made so far (retries included)."""
        ...  # pragma: no cover

    @property
    def bytes_received(self) -> int:
        """Response body bytes received so far."""
        ...  # pragma: no cover
