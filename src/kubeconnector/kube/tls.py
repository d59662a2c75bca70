"""TLS contexts built in memory: no certificate or key ever lands in a file on disk.

The official client's kubeconfig loader writes client certificate and key data to temporary
files that live until the process exits. Here the CA bundle is loaded from memory (``cadata``)
and the client certificate and key, which `ssl.SSLContext.load_cert_chain` only reads from a
path, are handed over through an anonymous in-memory file (``memfd_create``) opened as
``/proc/self/fd/N`` and closed at once. Only where memfd is unavailable is a 0600 file under
``/dev/shm`` (memory-backed) used, and it is removed right after loading; that case is logged
and reported. With neither available, client certificates are refused rather than written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from kubeconnector.errors import ClusterError, KubeconfigError
from kubeconnector.kube.kubeconfig import ResolvedKubeconfig

log = logging.getLogger(__name__)

KeyLoading = Literal["none", "memfd", "shm"]
SHM_DIR = "/dev/shm"


@dataclass(frozen=True)
class TLSSetup:
    """A client TLS context and how its client key was loaded.

    Attributes:
        context: Verifies the server (unless the kubeconfig is insecure) and presents the
            client certificate, if any.
        key_loading: ``none`` (no client certificate), ``memfd`` or ``shm`` (the fallback).
    """

    context: ssl.SSLContext
    key_loading: KeyLoading


def build_tls(resolved: ResolvedKubeconfig) -> TLSSetup:
    """Build the TLS context for a resolved kubeconfig, entirely in memory.

    Raises:
        KubeconfigError: ``invalid-ca`` or ``invalid-certificate`` when OpenSSL refuses the data.
        ClusterError: A client certificate is needed but no in-memory file can hold it.
    """
    context = _server_verification(resolved)
    credential = resolved.credential
    if credential.client_certificate is None or credential.client_key is None:
        return TLSSetup(context, "none")
    pem = credential.client_certificate.rstrip(b"\n") + b"\n" + credential.client_key
    return TLSSetup(context, load_client_certificate(context, pem))


def _server_verification(resolved: ResolvedKubeconfig) -> ssl.SSLContext:
    if resolved.insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif resolved.ca_data is not None:
        context = _trusting(resolved.ca_data)
    else:
        context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _trusting(ca_data: bytes) -> ssl.SSLContext:
    try:
        # cadata alone: only the kubeconfig's CA is trusted, not the system store.
        return ssl.create_default_context(cadata=ca_data.decode("ascii"))
    except (ssl.SSLError, UnicodeDecodeError):
        raise KubeconfigError(
            "invalid-ca", "the kubeconfig's certificate-authority-data cannot be loaded"
        ) from None


def load_client_certificate(context: ssl.SSLContext, pem: bytes) -> KeyLoading:
    """Load a PEM certificate chain followed by its key into `context` without a disk file.

    Returns:
        ``memfd`` or, when memfd is unavailable, ``shm``.
    """
    try:
        with _memfd(pem) as path:
            _load(context, path)
        return "memfd"
    except OSError as err:
        # No memfd_create (old kernel, seccomp) or no /proc: fall back to memory-backed shm.
        log.warning("memfd is unavailable (%s); loading the client key via %s", err, SHM_DIR)
    with _shm_file(pem) as path:
        _load(context, path)
    return "shm"


def _load(context: ssl.SSLContext, path: str) -> None:
    try:
        context.load_cert_chain(path, password=_no_passphrase)
    except ssl.SSLError:
        raise KubeconfigError(
            "invalid-certificate", "the client certificate and key cannot be loaded"
        ) from None


def _no_passphrase() -> bytes:
    # Without a callback OpenSSL would prompt on the terminal for an encrypted key.
    raise KubeconfigError("invalid-certificate", "the client key is encrypted with a passphrase")


@contextlib.contextmanager
def _memfd(pem: bytes) -> Iterator[str]:
    if not hasattr(os, "memfd_create"):  # pragma: no cover - present on Linux
        raise OSError("memfd_create is not available on this platform")
    fd = os.memfd_create("kubeconnector-client-cert", os.MFD_CLOEXEC)
    try:
        _write_all(fd, pem)
        yield f"/proc/self/fd/{fd}"
    finally:
        os.close(fd)


@contextlib.contextmanager
def _shm_file(pem: bytes) -> Iterator[str]:
    directory = SHM_DIR
    if not os.path.isdir(directory):
        raise ClusterError(
            "cannot load the client certificate without writing its key to disk: neither "
            f"memfd_create nor {directory} is available"
        )
    path = os.path.join(directory, f"kubeconnector-{secrets.token_hex(16)}.pem")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o600)
    try:
        _write_all(fd, pem)
        os.close(fd)
        fd = -1
        yield path
    finally:
        if fd >= 0:
            os.close(fd)
        _unlink(path)


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
