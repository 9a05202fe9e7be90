"""`hygiene sources import` against the real Samba AD DC and slapd: entries become officials,
the manager DN names the unit head, a bad entry rejects the whole import, in vi and en."""

from pathlib import Path
from typing import Any

import ldap3
import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, col, select

from hygiene.inventory.models import Account, Official, Unit
from tests.sources.directories import Directory
from tests.sources.servers import HOST, SambaDC, Slapd

JUSTICE = "Phòng Tư pháp"
BOARD = "Ban Giám đốc"


def _env(
    cli_env: dict[str, str], tmp_path: Path, d: Directory, kind: str, base: str
) -> dict[str, str]:
    config = tmp_path / "hygiene.toml"
    config.write_text(
        f'[sources.dir]\nkind = "{kind}"\nurl = "{d.url}"\nbind = "{d.bind}"\n'
        f'secret_file = "{d.secret_file}"\nbase = "{base}"\nca_file = "{d.ca}"\n'
        'covers = ["Email công vụ"]\ntimeout = 10\n',
        "utf-8",
    )
    return {**cli_env, "HYGIENE_CONFIG": str(config)}


def _connect(url_port: int, ca: Path, user: str, password: str) -> ldap3.Connection:
    endpoint = ldap3.Server(HOST, port=url_port, use_ssl=True, tls=ldap3.Tls(ca_certs_file=str(ca)))
    return ldap3.Connection(endpoint, user, password, auto_bind=True)


@pytest.fixture(scope="module")
def samba_ou(samba: Directory) -> str:
    """OU=Import with four users: dung → hoa → khanh (the board), khoa disabled."""
    dc = samba.server
    assert isinstance(dc, SambaDC)
    ou = f"OU=Import,{dc.BASE}"
    c = _connect(636, dc.ca, f"Administrator@{dc.REALM.lower()}", dc.ADMIN_PASSWORD)
    try:
        c.add(ou, ["organizationalUnit"], {"ou": "Import"})
        people = {
            "khanh": ("CB102", BOARD, None, "Khánh Giám Đốc", 512),
            "hoa": ("CB101", JUSTICE, "khanh", "Hoàng Thị Hoa", 512),
            "dung": ("CB100", JUSTICE, "hoa", "Đỗ Văn Dũng", 512),
            "khoa": ("CB103", JUSTICE, "hoa", "Khoa Nghỉ Việc", 514),  # disabled
        }
        for name, (employee, unit, manager, display, control) in people.items():
            attributes: dict[str, Any] = {
                "sAMAccountName": name,
                "displayName": display,
                "mail": f"{name}@hygiene.test",
                "employeeID": employee,
                "department": unit,
                "unicodePwd": f'"{name.capitalize()}-0001"'.encode("utf-16-le"),
                "userAccountControl": control,
            }
            if manager:
                attributes["manager"] = f"CN={manager},{ou}".lower()  # case does not matter
            if name == "hoa":
                attributes["mobile"] = "0912 345 678"
            c.add(f"CN={name},{ou}", ["user"], attributes)
            assert c.result["description"] == "success", c.result
    finally:
        c.unbind()
    return ou


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def _head(engine: Engine, unit: str) -> str | None:
    with Session(engine) as session:
        query = (
            select(Official.employee_id)
            .join(Unit, col(Unit.head_official_id) == col(Official.id))
            .where(col(Unit.name) == unit)
        )
        return session.execute(query).scalar_one_or_none()


def test_samba_entries_become_officials_with_the_manager_as_unit_head(
    samba: Directory,
    samba_ou: str,
    run_cli: Any,
    cli_env: dict[str, str],
    tmp_path: Path,
    db_url: str,
) -> None:
    env = _env(cli_env, tmp_path, samba, "ad", samba_ou)
    assert run_cli("db", "upgrade", env=env).exit_code == 0
    engine = create_engine(db_url)

    dry = run_cli("sources", "import", "dir", "--dry-run", env=env)
    assert dry.exit_code == 0, dry.output
    assert "Chạy thử" in dry.output
    assert "Sẽ thêm 3 cán bộ" in dry.output
    assert "đặt 1 lãnh đạo đơn vị" in dry.output
    assert "bỏ qua 1 mục bị vô hiệu hóa" in dry.output
    assert _count(engine, Official) == 0

    done = run_cli("sources", "import", "dir", "--apply", env={**env, "HYGIENE_LOCALE": "en"})
    assert done.exit_code == 0, done.output
    assert "Added 3 officials" in done.output
    assert "set 1 unit heads" in done.output
    assert "nobody is deactivated" in done.output
    assert _head(engine, JUSTICE) == "CB101"
    assert _head(engine, BOARD) is None
    with Session(engine) as session:
        hoa = session.exec(select(Official).where(Official.employee_id == "CB101")).one()
        logins = sorted(session.exec(select(Account.login)).all())
    assert (hoa.full_name, hoa.email, hoa.phone) == (
        "Hoàng Thị Hoa",
        "hoa@hygiene.test",
        "+84912345678",
    )
    assert logins == ["dung", "hoa", "khanh"]

    synced = run_cli("sources", "sync", "dir", env={**env, "HYGIENE_LOCALE": "en"})
    assert synced.exit_code == 0, synced.output
    assert "3 accounts matched" in synced.output

    again = run_cli("sources", "import", "dir", "--apply", env={**env, "HYGIENE_LOCALE": "en"})
    assert again.exit_code == 0, again.output
    assert "3 already in the inventory. Added 0 officials" in again.output
    engine.dispose()


@pytest.fixture(scope="module")
def slapd_ou(slapd: Directory) -> tuple[str, str]:
    """ou=import (three people, a manager chain) and ou=import-bad (one without employeeNumber)."""
    server = slapd.server
    assert isinstance(server, Slapd)
    good, bad = f"ou=import,{server.BASE}", f"ou=import-bad,{server.BASE}"
    c = _connect(server.port, server.ca, server.ROOT, server.ROOT_PASSWORD)
    try:
        c.add(good, ["organizationalUnit"], {"ou": "import"})
        c.add(bad, ["organizationalUnit"], {"ou": "import-bad"})
        people = {
            "thu": ("NV-7", "Phòng Văn hóa", None),
            "son": ("NV-8", "Phòng Văn hóa", "thu"),
            "yen": ("NV-9", "Phòng Văn hóa", "son"),
        }
        for uid, (employee, unit, manager) in people.items():
            attributes: dict[str, Any] = {
                "cn": uid,
                "sn": uid,
                "displayName": f"Cán bộ {uid}",
                "mail": f"{uid}@hygiene.test",
                "employeeNumber": employee,
                "departmentNumber": unit,
            }
            if manager:
                attributes["manager"] = f"UID={manager},OU=import,{server.BASE.upper()}"
            c.add(f"uid={uid},{good}", ["inetOrgPerson"], attributes)
            assert c.result["description"] == "success", c.result
        c.add(f"uid=vo-danh,{bad}", ["inetOrgPerson"],
              {"cn": "vo-danh", "sn": "x", "mail": "vo-danh@hygiene.test",
               "departmentNumber": "Phòng Văn hóa"})  # fmt: skip
        assert c.result["description"] == "success", c.result
    finally:
        c.unbind()
    return good, bad


def test_slapd_manager_dn_gives_the_head_and_a_bad_entry_rejects_all(
    slapd: Directory,
    slapd_ou: tuple[str, str],
    run_cli: Any,
    cli_env: dict[str, str],
    tmp_path: Path,
    db_url: str,
) -> None:
    good, bad = slapd_ou
    engine = create_engine(db_url)
    rejected_env = _env(cli_env, tmp_path, slapd, "openldap", bad)
    assert run_cli("db", "upgrade", env=rejected_env).exit_code == 0
    rejected = run_cli("sources", "import", "dir", "--apply", env=rejected_env)
    assert rejected.exit_code == 1
    assert "mục 1 «vo-danh», thuộc tính employeeNumber" in rejected.output
    assert _count(engine, Official) == 0

    env = _env(cli_env, tmp_path, slapd, "openldap", good)
    done = run_cli("sources", "import", "dir", "--apply", env=env)
    assert done.exit_code == 0, done.output
    assert "Đã thêm 3 cán bộ" in done.output
    # son manages yen inside the unit, and son's own manager thu too: thu is the top.
    assert _head(engine, "Phòng Văn hóa") == "NV-7"
    engine.dispose()
