"""String formats of the API (`k8s.io/apimachinery/pkg/util/validation`), with their exact texts.

Each checker returns the list of messages the Go function of the same name returns (empty when
the value is valid). Results are memoized: the same names, keys and label values recur across
tens of thousands of objects, and the checks are pure.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"
ENV_VAR_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
PERCENT_FMT = "[0-9]+%"

_DNS1123_LABEL = re.compile(DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL = re.compile(DNS1035_LABEL_FMT)
_QUALIFIED_NAME = re.compile(QUALIFIED_NAME_FMT)
_LABEL_VALUE = re.compile(LABEL_VALUE_FMT)
_CONFIG_KEY = re.compile(CONFIG_KEY_FMT)
_ENV_VAR = re.compile(ENV_VAR_FMT)
_PERCENT = re.compile(PERCENT_FMT)
_PORT_NAME_CHARSET = re.compile("[-a-z0-9]+")
_HAS_LETTER = re.compile("[a-z]")

DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character"
)
DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character"
)
QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character"
)
CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
ENV_VAR_MSG = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit"
)
PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%'"
EMPTY = "must be non-empty"


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """`validation.RegexError`: the message, examples joined by ` or `, and the regex."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    # Go appends "', " after each example, so examples are joined by "',  or '".
    joined = " or ".join(f"'{example}', " for example in examples)
    return f"{msg} (e.g. {joined}regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    """`validation.MaxLenError`."""
    return f"must be no more than {length} characters"


def inclusive_range_error(low: int, high: int) -> str:
    """`validation.InclusiveRangeError`."""
    return f"must be between {low} and {high}, inclusive"


_LABEL_REGEX_MSG = regex_error(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc")
_SUBDOMAIN_REGEX_MSG = regex_error(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com")
_DNS1035_REGEX_MSG = regex_error(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123")
_QNAME_REGEX_MSG = regex_error(
    QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"
)
_LABEL_VALUE_REGEX_MSG = regex_error(
    LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"
)
_CONFIG_KEY_REGEX_MSG = regex_error(
    CONFIG_KEY_MSG, CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"
)
_ENV_VAR_REGEX_MSG = regex_error(
    ENV_VAR_MSG, ENV_VAR_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"
)
_PERCENT_REGEX_MSG = regex_error(PERCENT_MSG, PERCENT_FMT, "1%", "93%")


@lru_cache(maxsize=8192)
def dns1123_label(value: str) -> tuple[str, ...]:
    """`IsDNS1123Label`."""
    errs: list[str] = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _DNS1123_LABEL.fullmatch(value):
        if _DNS1123_SUBDOMAIN.fullmatch(value):
            errs.append("must not contain dots")
        else:
            errs.append(_LABEL_REGEX_MSG)
    return tuple(errs)


@lru_cache(maxsize=8192)
def dns1123_subdomain(value: str) -> tuple[str, ...]:
    """`IsDNS1123Subdomain`."""
    errs: list[str] = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errs.append(_SUBDOMAIN_REGEX_MSG)
    return tuple(errs)


@lru_cache(maxsize=8192)
def dns1035_label(value: str) -> tuple[str, ...]:
    """`IsDNS1035Label`."""
    errs: list[str] = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _DNS1035_LABEL.fullmatch(value):
        errs.append(_DNS1035_REGEX_MSG)
    return tuple(errs)


@lru_cache(maxsize=8192)
def qualified_name(value: str) -> tuple[str, ...]:
    """`IsQualifiedName`: an optional DNS-subdomain prefix and `/`, then a name part."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return (
            "a qualified name "
            + _QNAME_REGEX_MSG
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        )
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part " + EMPTY)
        else:
            errs.extend("prefix part " + msg for msg in dns1123_subdomain(prefix))
    if not name:
        errs.append("name part " + EMPTY)
    elif len(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _QUALIFIED_NAME.fullmatch(name):
        errs.append("name part " + _QNAME_REGEX_MSG)
    return tuple(errs)


@lru_cache(maxsize=8192)
def label_value(value: str) -> tuple[str, ...]:
    """`IsValidLabelValue`."""
    errs: list[str] = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _LABEL_VALUE.fullmatch(value):
        errs.append(_LABEL_VALUE_REGEX_MSG)
    return tuple(errs)


def _chdir_prefix(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


@lru_cache(maxsize=8192)
def config_map_key(value: str) -> tuple[str, ...]:
    """`IsConfigMapKey` (also used for Secret keys)."""
    errs: list[str] = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _CONFIG_KEY.fullmatch(value):
        errs.append(_CONFIG_KEY_REGEX_MSG)
    errs.extend(_chdir_prefix(value))
    return tuple(errs)


@lru_cache(maxsize=4096)
def env_var_name(value: str) -> tuple[str, ...]:
    """`IsEnvVarName` (the strict form; relaxed names are an alpha feature in 1.30)."""
    errs: list[str] = []
    if not _ENV_VAR.fullmatch(value):
        errs.append(_ENV_VAR_REGEX_MSG)
    errs.extend(_chdir_prefix(value))
    return tuple(errs)


@lru_cache(maxsize=1024)
def port_name(value: str) -> tuple[str, ...]:
    """`IsValidPortName` (IANA_SVC_NAME)."""
    errs: list[str] = []
    if len(value) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.fullmatch(value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _HAS_LETTER.search(value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return tuple(errs)


def port_number(port: int) -> tuple[str, ...]:
    """`IsValidPortNum`: 1..65535."""
    return () if 1 <= port <= 65535 else (inclusive_range_error(1, 65535),)


def percent(value: str) -> tuple[str, ...]:
    """`IsValidPercent`."""
    return () if _PERCENT.fullmatch(value) else (_PERCENT_REGEX_MSG,)


def ip_address(value: str) -> tuple[str, ...]:
    """`IsValidIP` as of 1.30 (IPv4 with leading zeros is still tolerated upstream)."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if _sloppy_ipv4(value):
            return ()
        return ("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",)
    return ()


def _sloppy_ipv4(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) < 256 for p in parts)


def mask_trailing_dash(name: str) -> str:
    """Name generation appends a suffix, so a generateName may end with a dash."""
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name
