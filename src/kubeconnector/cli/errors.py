"""How the CLI fails: one line on stderr, an exit code per kind of error, never a traceback.

Every command runs under `guarded`, which maps the exception tree of `kubeconnector.errors`
to an exit code and prints ``error: <message>`` as a single line on stderr. Messages come from
the error classes, which never carry Secret values, tokens, keys or kubeconfig content; an
unexpected exception (a bug) is reported by its type alone, since its text is not vetted.

Exit codes:

====  =====================================================================================
code  meaning
====  =====================================================================================
0     success
1     an unexpected internal error
2     wrong usage or invalid input (an unknown option, kind, subject or environment)
3     configuration (the home directory, the database URL, the master key)
4     the kubeconfig is refused (the line says why and names the entry)
5     not found (a connector, an asset, an inventory not discovered yet)
6     already exists (a connector name)
7     encrypted data does not open with the key ring
8     the database failed
10    the API server cannot be reached
11    TLS: the API server's certificate does not verify (the kubeconfig must be updated)
12    401 Unauthorized: the token is expired or invalid
13    403 Forbidden
14    another error from the cluster (5xx, throttling, unexpected answers)
20    a change could not proceed (illegal transition, approval, preflight, rollback)
130   interrupted (Ctrl-C)
====  =====================================================================================
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import typer

from kubeconnector.errors import (
    ChangeError,
    ClusterError,
    ClusterUnreachable,
    ConfigError,
    CryptoError,
    Forbidden,
    InvalidInput,
    KubeconfigError,
    KubeConnectorError,
    RecordExists,
    RecordNotFound,
    StorageError,
    TLSError,
    Unauthorized,
)

OK = 0
INTERNAL = 1
USAGE = 2
INTERRUPTED = 130

EXIT_CODES: dict[type[KubeConnectorError], int] = {
    InvalidInput: USAGE,
    ConfigError: 3,
    KubeconfigError: 4,
    RecordNotFound: 5,
    RecordExists: 6,
    CryptoError: 7,
    StorageError: 8,
    ClusterUnreachable: 10,
    TLSError: 11,
    Unauthorized: 12,
    Forbidden: 13,
    ClusterError: 14,
    ChangeError: 20,
}

P = ParamSpec("P")
R = TypeVar("R")
_SPACES = re.compile(r"\s+")


def exit_code(error: BaseException) -> int:
    """The exit code for an error (the most specific class of `EXIT_CODES` it belongs to)."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return INTERNAL


def error_line(error: KubeConnectorError) -> str:
    """The one line describing an error, without the ``error:`` prefix."""
    message = one_line(str(error)) or error.reason
    if isinstance(error, KubeconfigError):
        return f"kubeconfig refused ({error.code}): {message}"
    return message


def one_line(text: str) -> str:
    """Text with every run of whitespace (newlines included) collapsed to one space."""
    return _SPACES.sub(" ", text).strip()


def fail(message: str, code: int) -> NoReturn:
    """Print ``error: <message>`` on stderr as one line and exit with ``code``."""
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(code)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Run a command, turning any error into one stderr line and its exit code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except KubeConnectorError as error:
            fail(error_line(error), exit_code(error))
        except KeyboardInterrupt:
            fail("interrupted", INTERRUPTED)
        except Exception as error:  # a bug: its text is not vetted, so only its type is shown
            fail(f"internal error ({type(error).__name__}); please report it", INTERNAL)

    return run


def usage_line(error: typer.TyperException) -> str:
    """A usage error (an unknown option, a missing argument) as one line, with where to get help."""
    line = one_line(error.format_message())
    context = getattr(error, "ctx", None)
    path = getattr(context, "command_path", None)
    return f"{line} (see '{path} --help')" if path else line
