"""Service cluster IP allocation (the service IP allocator of the service REST storage).

Like the real allocator, dynamic allocation picks random free addresses above a small static
band at the start of the range, so that addresses chosen by users (kube-dns's `10.96.0.10`)
stay free; the first host address is the `kubernetes` service's and is never handed out.
"""

from __future__ import annotations

import ipaddress
import random

from kubesim.api import status
from kubesim.api.fielderrors import GoLiteral, invalid
from kubesim.validation import gorender

DEFAULT_RANGE = "10.96.0.0/12"


class ClusterIPAllocator:
    """The set of allocated cluster IPs of one cluster; the caller owns the instance."""

    def __init__(self, cidr: str = DEFAULT_RANGE, seed: int | None = None) -> None:
        """Create an allocator for a service CIDR.

        Args:
            cidr: the service IP range.
            seed: seeds the random choice of addresses (for reproducible clusters).
        """
        self.network = ipaddress.ip_network(cidr)
        self.cidr = cidr
        self._used: set[int] = set()
        self._random = random.Random(seed)
        size = self.network.num_addresses
        self._static_band = min(max(16, size // 16), 256)
        self.kubernetes_ip = str(self.network.network_address + 1)

    def _offset(self, ip: str) -> int | None:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        if address not in self.network:
            return None
        offset = int(address) - int(self.network.network_address)
        return offset if 0 < offset < self.network.num_addresses - 1 else None

    def allocate(self) -> str:
        """A free address from the dynamic band.

        Raises:
            StatusError: 500 when the range is exhausted.
        """
        last = self.network.num_addresses - 2
        start = self._static_band if last - self._static_band > len(self._used) else 2
        for _ in range(64):
            offset = self._random.randint(start, last)
            if offset not in self._used:
                return self._take(offset)
        for offset in range(2, last + 1):
            if offset not in self._used:
                return self._take(offset)
        raise status.internal_error("failed to allocate a serviceIP: range is full")

    def _take(self, offset: int) -> str:
        self._used.add(offset)
        return str(self.network.network_address + offset)

    def reserve(self, ip: str, name: str = "") -> None:
        """Claim an address chosen by the client.

        Args:
            ip: the requested cluster IP.
            name: the Service's name, for the error message.

        Raises:
            StatusError: 422 Invalid (on `spec.clusterIPs`) when the address is outside the
                range or already allocated.
        """
        offset = self._offset(ip)
        if offset is None:
            detail = (
                f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. "
                f"The range of valid IPs is {self.cidr}"
            )
        elif offset in self._used:
            detail = f"failed to allocate IP {ip}: provided IP is already allocated"
        else:
            self._used.add(offset)
            return
        error = invalid("spec.clusterIPs", GoLiteral(gorender.string_slice([ip])), detail)
        raise status.invalid(status.GroupKind("", "Service"), name, [error])

    def release(self, ip: str) -> None:
        """Return an address to the pool (when its Service is deleted)."""
        offset = self._offset(ip)
        if offset is not None:
            self._used.discard(offset)

    def allocated(self, ip: str) -> bool:
        """Whether the address is currently in use."""
        offset = self._offset(ip)
        return offset is not None and offset in self._used
