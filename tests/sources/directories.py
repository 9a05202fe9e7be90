"""Session-wide real directories (Samba AD DC, slapd) with a few users, for the adapter tests and
the end-to-end test. Each fixture skips with its reason when the server cannot run here."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ldap3
import pytest

from tests.sources.servers import HOST, SambaDC, Slapd, missing, port_open

READER_PASSWORD = "Reader-Pass-0001-canary"


@dataclass
class Directory:
    url: str
    bind: str
    secret_file: Path
    base: str
    ca: Path
    server: SambaDC | Slapd


@pytest.fixture(scope="session")
def samba(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    if reason := missing("samba", "samba-tool"):
        pytest.skip(reason)
    if port_open(636):
        pytest.skip("port 636 on 127.0.0.1 is taken: Samba's LDAPS port cannot be changed")
    folder = tmp_path_factory.mktemp("samba")
    dc = SambaDC(folder)
    dc.provision()
    dc.add_user("hygiene-ro", READER_PASSWORD)
    dc.add_user("huong", "Huong-0001", mail="huong@hygiene.test")
    dc.add_user("minh", "Minh-0001", mail="minh@hygiene.test")
    dc.tool("user", "disable", "minh")
    dc.add_user("lan", "Lan-0001", mail="lan@hygiene.test")
    # A fine-grained policy for lan: 10 days instead of the domain's 42.
    dc.tool("domain", "passwordsettings", "pso", "create", "short", "1", "--max-pwd-age=10")
    dc.tool("domain", "passwordsettings", "pso", "apply", "short", "lan")
    secret = folder / "reader.secret"
    secret.write_text(READER_PASSWORD + "\n")
    dc.start()
    try:
        yield Directory(
            f"ldaps://{HOST}:636", "hygiene-ro@hygiene.test", secret, dc.BASE, dc.ca, dc
        )
    finally:
        dc.stop()


def _slapd_tree(server: Slapd) -> None:
    tls = ldap3.Tls(ca_certs_file=str(server.ca))
    endpoint = ldap3.Server(HOST, port=server.port, use_ssl=True, tls=tls)
    base = server.BASE
    c = ldap3.Connection(endpoint, server.ROOT, server.ROOT_PASSWORD, auto_bind=True)
    try:  # not `with`: ldap3's context manager leaves an auto-bound connection open
        c.add(base, ["dcObject", "organization"], {"o": "Hygiene test", "dc": "hygiene"})
        for ou in ("policies", "people", "ipa", "service"):
            c.add(f"ou={ou},{base}", ["organizationalUnit"], {"ou": ou})
        c.add(
            f"cn=default,ou=policies,{base}",
            ["device", "pwdPolicy"],
            {"cn": "default", "pwdAttribute": "userPassword", "pwdMaxAge": 7776000},
        )
        c.add(f"cn=reader,ou=service,{base}", ["inetOrgPerson"],
              {"cn": "reader", "sn": "reader", "userPassword": READER_PASSWORD})  # fmt: skip
        for uid, mail in (("huong", "huong@hygiene.test"), ("minh", "minh@hygiene.test")):
            c.add(f"uid={uid},ou=people,{base}", ["inetOrgPerson"],
                  {"cn": uid, "sn": uid, "mail": mail, "userPassword": f"{uid}-0001"})  # fmt: skip
        c.modify(f"uid=minh,ou=people,{base}",
                 {"pwdAccountLockedTime": [(ldap3.MODIFY_REPLACE, ["000001010000Z"])]})  # fmt: skip
        ipa: dict[str, dict[str, Any]] = {
            "huong": {
                "krbLastPwdChange": "20260220020000Z",
                "krbPasswordExpiration": "20260521020000Z",
                "ipaUserAuthType": ["password", "otp"],
                "nsAccountLock": "FALSE",
            },
            "minh": {"krbLastPwdChange": "20251001020000Z", "nsAccountLock": "TRUE"},
        }
        for uid, extra in ipa.items():
            c.add(
                f"uid={uid},ou=ipa,{base}",
                ["inetOrgPerson", "krbPrincipalAux", "hygieneIpaTest"],
                {"cn": uid, "sn": uid, "mail": f"{uid}@hygiene.test",
                 "krbPrincipalName": f"{uid}@HYGIENE.TEST", **extra},
            )  # fmt: skip
        assert c.result["description"] == "success", c.result
    finally:
        c.unbind()


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    if reason := missing("slapd"):
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("slapd")
    server = Slapd(folder)
    server.start()
    try:
        _slapd_tree(server)
        secret = folder / "reader.secret"
        secret.write_text(READER_PASSWORD + "\n")
        reader = f"cn=reader,ou=service,{server.BASE}"
        yield Directory(
            f"ldaps://{HOST}:{server.port}", reader, secret, server.BASE, server.ca, server
        )
    finally:
        server.stop()
