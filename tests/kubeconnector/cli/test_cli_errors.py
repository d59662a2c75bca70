"""How the CLI maps the exception tree to exit codes and one line on stderr."""

from __future__ import annotations

import re

import pytest
import typer

from kubeconnector.cli.app import EXIT_CODES_HELP
from kubeconnector.cli.errors import EXIT_CODES, exit_code, guarded
from kubeconnector.errors import (
    ApprovalRefused,
    ClusterUnreachable,
    ConfigError,
    Forbidden,
    KubeconfigError,
    KubeConnectorError,
    NotFound,
    RecordNotFound,
    StatusInfo,
    TLSError,
    TooManyRequests,
    Unauthorized,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigError("x"), 3),
        (KubeconfigError("exec-auth", "x"), 4),
        (RecordNotFound("x"), 5),
        (ClusterUnreachable("x"), 10),
        (TLSError("x"), 11),
        (Unauthorized(StatusInfo(401)), 12),
        (Forbidden(StatusInfo(403)), 13),
        (NotFound(StatusInfo(404)), 14),
        (TooManyRequests(StatusInfo(429)), 14),
        (ApprovalRefused("x"), 20),
        (KubeConnectorError("x"), 1),
        (ValueError("x"), 1),
    ],
)
def test_each_error_class_has_its_exit_code(error: BaseException, code: int) -> None:
    assert exit_code(error) == code


def test_every_exit_code_is_documented_in_the_help() -> None:
    documented = {int(n) for n in re.findall(r"\b(\d+) ", EXIT_CODES_HELP)}
    assert set(EXIT_CODES.values()) | {0, 1, 130} <= documented


def _raising(error: BaseException) -> int:
    @guarded
    def command() -> None:
        raise error

    with pytest.raises(typer.Exit) as caught:
        command()
    return caught.value.exit_code


def test_an_unexpected_exception_shows_only_its_type(capsys: pytest.CaptureFixture[str]) -> None:
    code = _raising(RuntimeError("token eyJhbGciOi.secret.value leaked in a message"))
    assert code == 1
    assert capsys.readouterr().err == "error: internal error (RuntimeError); please report it\n"


def test_a_kubeconfig_refusal_names_its_code_on_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _raising(KubeconfigError("not-yaml", "line 3:\n  bad\tindent")) == 4
    assert capsys.readouterr().err == "error: kubeconfig refused (not-yaml): line 3: bad indent\n"


def test_an_interrupt_exits_130(capsys: pytest.CaptureFixture[str]) -> None:
    assert _raising(KeyboardInterrupt()) == 130
    assert capsys.readouterr().err == "error: interrupted\n"
