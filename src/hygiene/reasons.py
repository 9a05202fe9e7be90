"""pydantic's validation errors in the catalogue's words (`reason.*`), for every place that
shows one to a person: configuration errors and the inventory's field problems.

pydantic writes its own English ("Input should be a valid integer, unable to parse string as an
integer"). `phrase()` maps its error types (pydantic_core's ErrorType) to catalogue keys, with
the limits of its context under the same names (gt, ge, lt, le, min_length, max_length,
expected, pattern); an error type without a key keeps pydantic's text as the detail of
`reason.other`, so nothing is hidden.
"""

from typing import Any

from hygiene.i18n import Phrase

_KEYS = {
    "missing": "missing",
    "extra_forbidden": "unknown_key",
    "int_parsing": "integer",
    "int_type": "integer",
    "int_from_float": "integer",
    "float_parsing": "number",
    "float_type": "number",
    "bool_parsing": "boolean",
    "bool_type": "boolean",
    "string_type": "string",
    "model_type": "section",
    "model_attributes_type": "section",
    "dict_type": "section",
    "list_type": "list",
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
    "string_too_short": "string_too_short",
    "string_too_long": "string_too_long",
    "too_short": "too_short",
    "too_long": "too_long",
    "literal_error": "choice",
    "enum": "choice",
    "string_pattern_mismatch": "pattern",
    "path_type": "path",
    "url_parsing": "url",
    "url_scheme": "url",
    "time_parsing": "time",
    "time_type": "time",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_type": "date",
    "json_invalid": "json",
    "uuid_parsing": "uuid",
}


def phrase(error: Any) -> Phrase:
    """One entry of `ValidationError.errors()` as a Phrase (its params plain JSON values)."""
    key = _KEYS.get(error["type"])
    if key is None:
        return Phrase("reason.other", {"detail": error["msg"]})
    params: dict[str, Any] = {}
    for name, value in (error.get("ctx") or {}).items():
        if isinstance(value, float) and value.is_integer():
            params[name] = int(value)  # 0.0 is written 0: the limits in use are whole numbers
        elif isinstance(value, str | int | float):
            params[name] = value
    if "expected" in params:  # "'none', 'tls' or 'starttls'": the list without English words
        params["expected"] = str(params["expected"]).replace(" or ", ", ")
    return Phrase(f"reason.{key}", params)
