"""The errors of hygiene: the whole tree, with where each class lives.

Errors a person can meet carry a message code rather than a sentence (`code` names a message in
hygiene.i18n, `params` fill it). Entry points (CLI, web) turn them into one line of text in the
reader's locale; they are never shown as tracebacks.

    HygieneError                 base (here)
    ├── ConfigError              the configuration is invalid; nothing has started (here)
    ├── NotFound                 a named unit, official, account… does not exist (here)
    ├── Conflict                 the change would break a uniqueness rule (here)
    ├── InvalidInput             one value is wrong, field named in params (here)
    │   └── FieldRejected        one field of a console/API edit (inventory.edits)
    ├── ImportRejected           a spreadsheet had bad rows; `.problems` lists every one (as
    │   │                        RowProblem, here) and the database was left unchanged (here)
    │   └── DirectoryRejected    the same for a directory import, with each entry's identity
    │                            (sources.importer)
    ├── AckRejected              an acknowledgement code cannot be used: invalid, used,
    │                            expired… (acks.service)
    ├── AckLocked                too many wrong codes from one sender (acks.service)
    ├── SignInRejected           a wrong, used, expired or over-tried portal code (portal.signin)
    ├── SignInFailed             console sign-in: one answer for every cause (users.service)
    ├── CheckpointBehind         the log is older than the last checkpoint sent (audit.checkpoints)
    ├── SourceError              a directory source failed (sources.base)
    │   ├── SourceUnavailable    retryable: the directory is down or throttling
    │   └── SourceRefused        not retryable: bad credentials, refused query
    └── _Refused                 a portal form refused, with its HTTP status (web.portal.forms)

Errors between the code's own layers, never shown as they are:

    ChannelError                 a send failed; `reason` is logged and stored (channels.base)
    ├── TransientError           retry later with backoff
    ├── PermanentError           mark the message failed with its reason
    └── ChannelDown              the channel cannot send anything: hold it, try the fallback
    _IdleConnectionLost          SMTP found its idle connection closed: reconnect (channels.smtp)
    FieldError(ValueError)       one cell's value is wrong, inside pydantic validation
                                 (inventory.values); becomes a RowProblem or FieldRejected
    Reason(ValueError)           a settings validator's refusal, as a catalogue key (settings)
    └── KeyedError               one that a rule spanning sections places on one key
    TooLong(ValueError)          a password candidate over the checked length (policy.strength)
    LinkInMessage(ValueError)    a rendered message holds a link: refused (messages.render)
    ReportNotSelfContained(ValueError)   a PDF report's HTML refers outside (reports.pdf)

`audit.verify` returns a broken chain as a result (the first broken row), it does not raise.
"""

from dataclasses import dataclass, field
from typing import Any


class HygieneError(Exception):
    """Base class. `code` is a key of hygiene.i18n.MESSAGES; `params` fill its placeholders."""

    code: str = "error.generic"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)

    def render(self, locale: str) -> str:
        from hygiene import i18n

        return i18n.t(self.code, locale, **self.params)


class ConfigError(HygieneError):
    code = "error.config"


class NotFound(HygieneError):
    code = "error.not_found"


class Conflict(HygieneError):
    code = "error.conflict"


class InvalidInput(HygieneError):
    code = "error.invalid"


@dataclass(frozen=True)
class RowProblem:
    """One bad cell of an imported file: `line` is the row number the spreadsheet shows,
    `column` the file's own header text, `value` the offending cell as typed (None when it must
    not be shown, e.g. a password-looking column) and `field` the import column it maps to."""

    line: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    value: str | None = None
    field: str = ""

    def render(self, locale: str) -> str:
        from hygiene import i18n

        reason = i18n.t(self.code, locale, **self.params)
        if self.value:
            return i18n.t(
                "importer.problem_value",
                locale,
                line=self.line,
                column=self.column,
                value=self.value,
                reason=reason,
            )
        return i18n.t("import.problem", locale, line=self.line, column=self.column, reason=reason)


class ImportRejected(HygieneError):
    """`problems` holds the first entries (at most MAX_PROBLEMS of the importer), `total` counts
    every one found."""

    code = "import.rejected"

    def __init__(self, problems: list[RowProblem], total: int | None = None) -> None:
        self.problems = problems
        self.total = len(problems) if total is None else total
        super().__init__(count=self.total)
