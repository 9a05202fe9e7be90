"""Every template renders completely in both locales, with the phrase and the code, no links."""

import re
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from hygiene.i18n import format_number
from hygiene.messages.render import KINDS, LOCALES, Rendered, render

PHRASE = "hoa ban trắng"
CODE = "7KQ2-M9XD"
URL = re.compile(r"https?://|www\.", re.IGNORECASE)
LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#")


def sample(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "full_name": "Nguyễn Thị Hương",
        "phrase": PHRASE,
        "ack_code": CODE,
        "code": CODE,  # portal_sign_in: the sign-in code
        "minutes": 10,
        "ack_expires": "01/04/2026",
        "planned_on": "02/03/2026",
        "accounts": [
            {
                "system": "Email công vụ",
                "login": "ng***@…",
                "due_on": "02/03/2026",
                "state": "today",
            },
            {"system": "Zalo", "login": "09***78", "due_on": "05/03/2026", "state": "upcoming"},
        ],
        "informed": "head",
        "escalated": True,
        "to_security": False,
        "saved_in_browser": True,
        "advisories": [
            {
                "title": "Thủ đoạn cắt ghép ảnh để tống tiền",
                "body": "Không chuyển tiền, không xóa tin nhắn, báo ngay công an.",
                "severity": "cao",
                "reference": "CV 123/CAT-PA05",
                "requires_ack": True,
                "published_on": "01/03/2026",
            }
        ],
        "officials": [
            {"full_name": "Lò Văn Đức", "employee_id": "CB002", "systems": "Email công vụ"}
        ],
        "unit": "UBND xã Bình An",
        "limit_days": 30,
        "attest_every_days": 90,
        "incident": {
            "reference": "BC-2026-00007",
            "reporter": "Lò Văn Đức",
            "unit": "UBND xã Bình An",
            "channel": "Zalo",
            "occurred_on": "01/03/2026",
            "reported_at": "02/03/2026 09:15",
            "notified": 1,
        },
        "checkpoint": {
            "line": "1234:" + "9f" * 32 + " 2026-03-02T03:00:00Z 1234",
            "seq": 1234,
            "hash": "9f" * 32,
            "at": "02/03/2026 10:00",
            "count": 1234,
        },
    }
    return {**context, **overrides}


def parts(rendered: Rendered) -> dict[str, str]:
    return {"text": rendered.text, "html": rendered.html, "sms": rendered.sms}


CASES = [(kind, locale) for kind in KINDS for locale in LOCALES]
# The incident notice goes to security officers (console users: no phrase, nothing to
# acknowledge); the receipt is a notice to the official (phrase, but nothing to acknowledge).
# The log checkpoint goes to security officers too, with nothing to acknowledge.
TO_SECURITY = ("incident_new", "audit_checkpoint")
TO_OFFICIALS = [(k, loc) for k, loc in CASES if k not in TO_SECURITY]
ACKNOWLEDGED = [
    (k, loc) for k, loc in CASES if not k.startswith("incident_") and k not in TO_SECURITY
]


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_it_leaves_no_placeholder(kind: str, locale: str) -> None:
    rendered = render(kind, locale, sample())
    for text in [rendered.subject, *parts(rendered).values()]:
        assert not LEFTOVER.search(text)


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_it_carries_no_link(kind: str, locale: str) -> None:
    rendered = render(kind, locale, sample())
    for text in [rendered.subject, *parts(rendered).values()]:
        assert not URL.search(text)


@pytest.mark.parametrize(("kind", "locale"), TO_OFFICIALS)
def test_it_shows_the_anti_phishing_phrase_everywhere(kind: str, locale: str) -> None:
    for name, text in parts(render(kind, locale, sample())).items():
        assert PHRASE in text, name


@pytest.mark.parametrize(("kind", "locale"), ACKNOWLEDGED)
def test_it_shows_the_acknowledgement_code_everywhere(kind: str, locale: str) -> None:
    for name, text in parts(render(kind, locale, sample())).items():
        assert CODE in text, name


@pytest.mark.parametrize("kind", ["incident_new", "incident_receipt"])
def test_a_notice_shows_no_code_to_type(kind: str) -> None:
    rendered = render(kind, "vi", sample(ack_code=""))
    assert "Mã xác nhận" not in rendered.text + rendered.sms
    assert "BC-2026-00007" in rendered.subject


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_it_says_the_service_never_asks_for_a_password(kind: str, locale: str) -> None:
    sentence = "không bao giờ hỏi mật khẩu" if locale == "vi" else "never ask"
    for text in parts(render(kind, locale, sample())).values():
        assert sentence in text.lower()


@pytest.mark.parametrize("locale", LOCALES)
def test_it_explains_how_to_set_a_phrase_when_there_is_none(locale: str) -> None:
    rendered = render("rotation_due", locale, sample(phrase=None))
    assert ("chưa đặt cụm từ" if locale == "vi" else "not set an anti-phishing") in rendered.text


def test_it_escapes_html() -> None:
    rendered = render("rotation_due", "vi", sample(full_name="<b>Hương</b>"))
    assert "<b>Hương</b>" not in rendered.html
    assert "&lt;b&gt;" in rendered.html


def test_it_refuses_a_missing_variable() -> None:
    context = sample()
    del context["accounts"]
    with pytest.raises(Exception, match="accounts"):
        render("rotation_due", "vi", context)


def test_it_prefers_an_override_with_the_same_relative_path(tmp_path: Path) -> None:
    target = tmp_path / "vi" / "rotation_due" / "subject.txt"
    target.parent.mkdir(parents=True)
    target.write_text("Nhắc riêng của xã\n", "utf-8")
    assert render("rotation_due", "vi", sample(), templates_dir=tmp_path).subject == (
        "Nhắc riêng của xã"
    )


def test_it_shows_vietnamese_diacritics() -> None:
    assert "Đến hạn đổi mật khẩu" in render("rotation_due", "vi", sample()).subject


def _with_includes(kind: str, locale: str, context: dict[str, Any]) -> list[str]:
    """The four parts as Jinja renders them with its own includes (render() inlines them)."""
    folder = str(Path(__file__).parents[2] / "src" / "hygiene" / "messages" / "templates")
    made: list[str] = []
    for part in ("subject.txt", "body.txt", "body.html", "sms.txt"):
        env = Environment(
            loader=FileSystemLoader(folder),
            undefined=StrictUndefined,
            autoescape=part.endswith(".html"),
            keep_trailing_newline=True,
        )
        env.filters["number"] = format_number
        full = {**context, "title": made[0] if made else ""}
        made.append(env.get_template(f"{locale}/{kind}/{part}").render(full))
        made[0] = made[0].strip()
    made[3] = " ".join(made[3].split())
    return made


@pytest.mark.parametrize(("kind", "locale"), CASES)
@pytest.mark.parametrize("phrase", [PHRASE, None])
def test_inlined_includes_render_what_jinja_includes_render(
    kind: str, locale: str, phrase: str | None
) -> None:
    rendered = render(kind, locale, sample(phrase=phrase))

    assert [rendered.subject, rendered.text, rendered.html, rendered.sms] == _with_includes(
        kind, locale, sample(phrase=phrase)
    )


def test_an_override_of_an_included_part_reaches_every_message(tmp_path: Path) -> None:
    target = tmp_path / "vi" / "_footer.txt"
    target.parent.mkdir(parents=True)
    target.write_text("Chân thư riêng của xã.\n", "utf-8")

    for kind in ("rotation_due", "browser", "digest"):
        assert render(kind, "vi", sample(), templates_dir=tmp_path).text.endswith(
            "Chân thư riêng của xã.\n"
        ), kind
        assert "Chân thư riêng" not in render(kind, "vi", sample()).text
