"""The short human summary, Vietnamese first then English (or one language with ``--lang``).

Built only from the report, so it can hold nothing the report does not.
"""

from __future__ import annotations

from hygiene.probe.discovery import BROWSERS_BY_ID
from hygiene.probe.report import ProfileEntry, Report

VI = "vi"
EN = "en"

_ERRORS = {
    "locked": ("tệp đang bị khoá hoặc không truy cập được", "file locked or not accessible"),
    "corrupt": ("cơ sở dữ liệu bị hỏng", "database damaged"),
    "unreadable": ("tệp không đọc được", "file unreadable"),
}


def say(vi: str, en: str, lang: str | None) -> str:
    """One text in the chosen language, or both ("vi / en") when no language is chosen."""
    if lang == VI:
        return vi
    if lang == EN:
        return en
    return f"{vi} / {en}"


def render(report: Report, lang: str | None = None) -> list[str]:
    lines = [
        say(
            f"Mật khẩu lưu trong trình duyệt trên máy {report['hostname']}:",
            f"Passwords saved in browsers on {report['hostname']}:",
            lang,
        )
    ]
    entries = report["profiles"]
    if not entries:
        lines.append(
            say("Không tìm thấy hồ sơ trình duyệt nào.", "No browser profiles found.", lang)
        )
    lines.extend(_entry_line(entry, lang) for entry in entries)
    total = sum(entry["saved_logins"] or 0 for entry in entries)
    if total:
        lines.append(
            say(
                "Chỉ thị: không lưu mật khẩu trong trình duyệt — hãy xoá các mật khẩu đã lưu.",
                "The directive: do not save passwords in browsers — please remove them.",
                lang,
            )
        )
    lines.append(
        say(
            "Công cụ này chỉ đếm, không đọc tên đăng nhập hay mật khẩu.",
            "This tool only counts; it never reads usernames or passwords.",
            lang,
        )
    )
    return lines


def _entry_line(entry: ProfileEntry, lang: str | None) -> str:
    browser = BROWSERS_BY_ID.get(entry["browser"])
    label = f"{browser.name if browser else entry['browser']} / {entry['profile']}"
    count = entry["saved_logins"]
    if count is not None:
        noun = "saved password" if count == 1 else "saved passwords"
        text = say(f"{count} mật khẩu đã lưu", f"{count} {noun}", lang)
    else:
        vi_reason, en_reason = _ERRORS.get(entry["error"] or "", ("lỗi", "error"))
        text = say(f"không đếm được ({vi_reason})", f"could not count ({en_reason})", lang)
    if entry["policy_disables_password_manager"]:
        text += " — " + say(
            "chính sách đã tắt trình quản lý mật khẩu",
            "a policy turns the password manager off",
            lang,
        )
    return f"{label}: {text}"
