"""Logins are identifiers, not secrets, but a message shows only enough to recognise one."""


def mask_login(login: str) -> str:
    """`nguyen.huong@xa.example` → `ng***@…`; `0912345678` → `09***78`; short ones → `n***`."""
    value = login.strip()
    if not value:
        return "***"
    if "@" in value:
        local = value.split("@", 1)[0]
        return f"{local[:2]}***@…"
    if len(value) >= 7:
        return f"{value[:2]}***{value[-2:]}"
    return f"{value[:1]}***"
