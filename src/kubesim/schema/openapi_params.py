"""The query and path parameters the API server documents on its operations.

Texts follow the descriptions the real server publishes; kubectl only relies on the names
(`fieldValidation` on PATCH tells it the server validates fields itself).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One operation parameter."""

    name: str
    location: str
    type: str
    description: str
    required: bool = False


def _query(name: str, kind: str, description: str) -> Param:
    return Param(name, "query", kind, description)


PRETTY = _query(
    "pretty",
    "string",
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent "
    "indicates a browser or command-line HTTP tool (curl and wget).",
)
DRY_RUN = _query(
    "dryRun",
    "string",
    "When present, indicates that modifications should not be persisted. An invalid or "
    "unrecognized dryRun directive will result in an error response and no further processing "
    "of the request. Valid values are: - All: all dry run stages will be processed",
)
_MANAGER = (
    "fieldManager is a name associated with the actor or entity that is making these changes. "
    "The value must be less than or 128 characters long, and only contain printable characters, "
    "as defined by https://golang.org/pkg/unicode/#IsPrint."
)
FIELD_MANAGER = _query("fieldManager", "string", _MANAGER)
FIELD_MANAGER_PATCH = _query(
    "fieldManager",
    "string",
    _MANAGER + " This field is required for apply requests (application/apply-patch) but "
    "optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).",
)
FIELD_VALIDATION = _query(
    "fieldValidation",
    "string",
    "fieldValidation instructs the server on how to handle objects in the request "
    "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This "
    "will ignore any unknown fields that are silently dropped from the object, and will ignore "
    "all but the last duplicate field that the decoder encounters. This is the default behavior "
    "prior to v1.23. - Warn: This will send a warning via the standard warning response header "
    "for each unknown field that is dropped from the object, and for each duplicate field that "
    "is encountered. The request will still succeed if there are no other errors, and will only "
    "persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will "
    "fail the request with a BadRequest error if any unknown fields would be dropped from the "
    "object, or if any duplicate fields are present. The error returned from the server will "
    "contain all unknown and duplicate fields encountered.",
)
FORCE = _query(
    "force",
    "boolean",
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting '
    "fields owned by other people. Force flag must be unset for non-apply patch requests.",
)
GRACE_PERIOD = _query(
    "gracePeriodSeconds",
    "integer",
    "The duration in seconds before the object should be deleted. Value must be non-negative "
    "integer. The value zero indicates delete immediately. If this value is nil, the default "
    "grace period for the specified type will be used. Defaults to a per object value if not "
    "specified. zero means delete immediately.",
)
ORPHAN = _query(
    "orphanDependents",
    "boolean",
    "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should "
    'the dependent objects be orphaned. If true/false, the "orphan" finalizer will be '
    "added to/removed from the object's finalizers list. Either this field or PropagationPolicy "
    "may be set, but not both.",
)
PROPAGATION = _query(
    "propagationPolicy",
    "string",
    "Whether and how garbage collection will be performed. Either this field or "
    "OrphanDependents may be set, but not both. The default policy is decided by the existing "
    "finalizer set in the metadata.finalizers and the resource-specific default policy. "
    "Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage "
    "collector to delete the dependents in the background; 'Foreground' - a cascading policy "
    "that deletes all dependents in the foreground.",
)
ALLOW_BOOKMARKS = _query(
    "allowWatchBookmarks",
    "boolean",
    'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not '
    "implement bookmarks may ignore this flag and bookmarks are sent at the server's "
    "discretion. Clients should not assume bookmarks are returned at any specific interval, nor "
    "may they assume the server will send any BOOKMARK event during a session. If this is not a "
    "watch, this field is ignored.",
)
CONTINUE = _query(
    "continue",
    "string",
    "The continue option should be set when retrieving more results from the server. Since "
    "this value is server defined, clients may only use the continue value from a previous "
    "query result with identical query parameters (except for the value of continue) and the "
    "server may reject a continue value it does not recognize. If the specified continue value "
    "is no longer valid whether due to expiration (generally five to fifteen minutes) or a "
    "configuration change on the server, the server will respond with a 410 ResourceExpired "
    "error together with a continue token.",
)
FIELD_SELECTOR = _query(
    "fieldSelector",
    "string",
    "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
)
LABEL_SELECTOR = _query(
    "labelSelector",
    "string",
    "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
)
LIMIT = _query(
    "limit",
    "integer",
    "limit is a maximum number of responses to return for a list call. If more items exist, "
    "the server will set the `continue` field on the list metadata to a value that can be used "
    "with the same initial query to retrieve the next set of results.",
)
RESOURCE_VERSION = _query(
    "resourceVersion",
    "string",
    "resourceVersion sets a constraint on what resource versions a request may be served from. "
    "See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for "
    "details.\n\nDefaults to unset",
)
RESOURCE_VERSION_MATCH = _query(
    "resourceVersionMatch",
    "string",
    "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly "
    "recommended that resourceVersionMatch be set for list calls where resourceVersion is set "
    "See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for "
    "details.\n\nDefaults to unset",
)
SEND_INITIAL_EVENTS = _query(
    "sendInitialEvents",
    "boolean",
    "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch "
    "stream will begin with synthetic events to produce the current state of objects in the "
    'collection. Once all such events have been sent, a synthetic "Bookmark" event will be '
    "sent.",
)
TIMEOUT = _query(
    "timeoutSeconds",
    "integer",
    "Timeout for the list/watch call. This limits the duration of the call, regardless of any "
    "activity or inactivity.",
)
WATCH = _query(
    "watch",
    "boolean",
    "Watch for changes to the described resources and return them as a stream of add, update, "
    "and remove notifications. Specify resourceVersion.",
)
NAMESPACE = Param(
    "namespace",
    "path",
    "string",
    "object name and auth scope, such as for teams and projects",
    required=True,
)
PATH = Param("path", "path", "string", "path to the resource", required=True)


def name_param(kind: str) -> Param:
    """The `{name}` path parameter of a kind's item paths."""
    return Param("name", "path", "string", f"name of the {kind}", required=True)


LIST_PARAMS = (
    ALLOW_BOOKMARKS,
    CONTINUE,
    FIELD_SELECTOR,
    LABEL_SELECTOR,
    LIMIT,
    RESOURCE_VERSION,
    RESOURCE_VERSION_MATCH,
    SEND_INITIAL_EVENTS,
    TIMEOUT,
    WATCH,
)
WRITE_PARAMS = (DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION)
PATCH_PARAMS = (DRY_RUN, FIELD_MANAGER_PATCH, FIELD_VALIDATION, FORCE)
DELETE_PARAMS = (DRY_RUN, GRACE_PERIOD, ORPHAN, PROPAGATION)
DELETE_COLLECTION_PARAMS = (
    CONTINUE,
    DRY_RUN,
    FIELD_SELECTOR,
    GRACE_PERIOD,
    LABEL_SELECTOR,
    LIMIT,
    ORPHAN,
    PROPAGATION,
    RESOURCE_VERSION,
    RESOURCE_VERSION_MATCH,
    SEND_INITIAL_EVENTS,
    TIMEOUT,
)
LOG_PARAMS = (
    _query(
        "container",
        "string",
        "The container for which to stream logs. Defaults to only "
        "container if there is one container in the pod.",
    ),
    _query("follow", "boolean", "Follow the log stream of the pod. Defaults to false."),
    _query(
        "insecureSkipTLSVerifyBackend",
        "boolean",
        "insecureSkipTLSVerifyBackend indicates "
        "that the apiserver should not confirm the validity of the serving certificate of the "
        "backend it is connecting to.",
    ),
    _query(
        "limitBytes",
        "integer",
        "If set, the number of bytes to read from the server before terminating the log output.",
    ),
    _query("previous", "boolean", "Return previous terminated container logs. Defaults to false."),
    _query(
        "sinceSeconds",
        "integer",
        "A relative time in seconds before the current time from which to show logs.",
    ),
    _query("tailLines", "integer", "If set, the number of lines from the end of the logs to show."),
    _query(
        "timestamps",
        "boolean",
        "If true, add an RFC3339 or RFC3339Nano timestamp at the "
        "beginning of every line of log output. Defaults to false.",
    ),
)
