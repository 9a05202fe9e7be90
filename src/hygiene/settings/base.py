"""What every settings section shares: the frozen, closed model, the cron check, secrets from
files, the TOML reader and the error that names a key for a rule spanning several sections."""

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from hygiene.errors import ConfigError
from hygiene.i18n import Phrase

_CRON = re.compile(r"^\S+(\s+\S+){4}$")


class Reason(ValueError):
    """A validator's refusal as a catalogue key under `config.reason.` and its parameters, so the
    configuration error reads in the operator's language (its str() is the English text)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.phrase = Phrase(f"config.reason.{code}", params)
        super().__init__(str(self.phrase))


class KeyedError(Reason):
    """A Reason that belongs to one key, raised by a rule spanning several sections."""

    def __init__(self, key: str, code: str, **params: Any) -> None:
        super().__init__(code, **params)
        self.key = key


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def five_field_cron(value: str) -> str:
    """`value` stripped, or ValueError when it is not five cron fields."""
    if not _CRON.match(value.strip()):
        raise Reason("cron")
    return value.strip()


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("config.missing_file", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("config.not_utf8", path=str(path), position=exc.start) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config.bad_toml", path=str(path), **_toml_place(str(exc))) from exc


# tomllib's messages end with where the parser stopped: "Invalid value (at line 1, column 10)"
_TOML_AT = re.compile(
    r"(?s)(?P<detail>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)"
)


def _toml_place(message: str) -> dict[str, Any]:
    """The place of a TOML error in words of the catalogue, and the parser's own detail."""
    found = _TOML_AT.fullmatch(message)
    if found is None:
        return {"where": Phrase("config.where.unknown"), "reason": message}
    if found["line"] is None:
        return {"where": Phrase("config.where.end"), "reason": found["detail"]}
    place = {"line": int(found["line"]), "column": int(found["column"])}
    return {"where": Phrase("config.where.line", place), "reason": found["detail"]}


def read_secret(value: SecretStr | None, file: Path | None) -> str | None:
    """The secret in `file` (read now, stripped) when one is named, else `value`'s."""
    if file is not None:
        try:
            return file.read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError("config.secret_file", path=str(file), reason=exc.strerror) from exc
    return value.get_secret_value() if value is not None else None
