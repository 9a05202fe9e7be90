"""Days typed into the console's forms: dd/mm/yyyy whatever the browser's language.

A browser's own date picker (`type="date"`) shows mm/dd/yyyy to a reader whose browser speaks
American English, so the console uses text fields (templates/console/_day_input.html) and reads
them here: dd/mm/yyyy (also with . or -) or ISO yyyy-mm-dd, the rules of the spreadsheet import
(hygiene.inventory.values.parse_date). A wrong day comes back as a message in the reader's
language naming the field and the text typed; the page shows it beside the field.
"""

from dataclasses import dataclass
from datetime import date

from hygiene import i18n
from hygiene.errors import InvalidInput
from hygiene.inventory.values import FieldError, parse_date


@dataclass(frozen=True)
class DayField:
    text: str  # as typed, shown back in the field when it is wrong
    day: date | None
    error: str | None = None

    @property
    def shown(self) -> str:
        """What the field shows: the day as dd/mm/yyyy, or the text when it is no day."""
        return i18n.format_date(self.day) if self.day is not None else self.text


def read_day(text: str, *, field: str, locale: str) -> DayField:
    """`text` as a day; `field` is the message key of the field's label."""
    cleaned = text.strip()
    try:
        return DayField(cleaned, parse_date(cleaned))
    except FieldError:
        message = i18n.t(
            "district_web.date.invalid", locale, field=i18n.t(field, locale), value=cleaned
        )
        return DayField(cleaned, None, message)


def day_or_error(text: str) -> date | None:
    """For a download, where there is no page to show the message on: a wrong day is an error."""
    try:
        return parse_date(text.strip())
    except FieldError:
        raise InvalidInput("district_web.date.invalid_plain", value=text.strip()) from None


def of(day: date) -> DayField:
    return DayField(day.isoformat(), day)
