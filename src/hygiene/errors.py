"""The errors a person can meet, each carrying a message code rather than a sentence.

    HygieneError                 base: `code` names a message in hygiene.i18n, `params` fill it
    ├── ConfigError              the configuration is invalid; nothing has started
    ├── NotFound                 a named unit, official, account… does not exist
    ├── Conflict                 the change would break a uniqueness rule
    ├── InvalidInput             one value is wrong (field named in params)
    └── ImportRejected           a spreadsheet had bad rows; `.problems` lists every one,
                                 and the database was left unchanged
    AuditChainBroken             raised by nobody: `audit.verify` returns it as a result

Entry points (CLI, web) turn these into one line of text in the reader's locale; they are never
shown as tracebacks.
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
