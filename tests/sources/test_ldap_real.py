"""The LDAP adapters against real servers: Samba AD DC and slapd (ppolicy, Kerberos schema)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hygiene.settings import SourceConfig
from hygiene.sources.base import Observation, SourceRefused, SourceUnavailable
from hygiene.sources.ldap import LdapSource
from tests.sources.directories import Directory


def _config(d: Directory, kind: str, base: str | None = None, **extra: object) -> SourceConfig:
    return SourceConfig(
        kind=kind,
        url=d.url,
        bind=d.bind,
        secret_file=d.secret_file,
        base=base or d.base,
        covers=["Email công vụ"],
        ca_file=d.ca,
        timeout=10,
        **extra,
    )


def _observe(config: SourceConfig) -> dict[str, Observation]:
    with LdapSource("t", config) as source:
        return {o.identity: o for o in source.observe()}


def test_samba_gives_pwdlastset_disabled_and_mail_over_paged_ldaps(samba: Directory) -> None:
    found = _observe(_config(samba, "ad", page_size=2))  # several pages
    huong = found["huong"]
    assert huong.email == "huong@hygiene.test"
    assert huong.password_changed_at is not None
    assert abs(huong.password_changed_at - datetime.now(UTC)) < timedelta(hours=2)
    assert found["minh"].disabled is True
    assert huong.disabled is False


def test_samba_expiry_honours_a_fine_grained_policy(samba: Directory) -> None:
    found = _observe(_config(samba, "ad"))
    lan, huong = found["lan"], found["huong"]
    assert lan.expires_at is not None
    assert huong.expires_at is not None
    assert lan.password_changed_at is not None
    assert huong.password_changed_at is not None
    assert (lan.expires_at - lan.password_changed_at).days == 10
    assert (huong.expires_at - huong.password_changed_at).days == 42


def test_a_wrong_bind_secret_is_refused_without_the_secret(
    samba: Directory, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.secret"
    wrong.write_text("not-the-password-canary")
    with pytest.raises(SourceRefused) as caught:
        _observe(_config(samba, "ad").model_copy(update={"secret_file": wrong}))
    assert "canary" not in str(caught.value)
    assert "canary" not in str(caught.value.params)


def test_a_certificate_from_another_ca_is_refused(samba: Directory, slapd: Directory) -> None:
    with pytest.raises(SourceRefused):
        _observe(_config(samba, "ad").model_copy(update={"ca_file": slapd.ca}))


def test_a_directory_that_is_not_there_is_unavailable(samba: Directory) -> None:
    from tests.sources.servers import free_port

    config = _config(samba, "ad").model_copy(update={"url": f"ldaps://127.0.0.1:{free_port()}"})
    with pytest.raises(SourceUnavailable):
        _observe(config)


def test_the_connection_is_read_only(samba: Directory) -> None:
    source = LdapSource("t", _config(samba, "ad"))
    with source:
        connection = source.connect()
        assert connection.read_only
        from ldap3.core.exceptions import LDAPException

        with pytest.raises(LDAPException):
            connection.delete("CN=huong,CN=Users,DC=hygiene,DC=test")


def test_openldap_gives_pwdchangedtime_and_the_administrative_lock(slapd: Directory) -> None:
    found = _observe(_config(slapd, "openldap", base=f"ou=people,{slapd.base}", page_size=1))
    huong, minh = found["huong"], found["minh"]
    assert huong.password_changed_at is not None
    assert abs(huong.password_changed_at - datetime.now(UTC)) < timedelta(hours=2)
    assert (huong.disabled, minh.disabled) == (False, True)
    assert huong.email == "huong@hygiene.test"


def test_freeipa_attributes_from_the_kerberos_schema(slapd: Directory) -> None:
    found = _observe(_config(slapd, "freeipa", base=f"ou=ipa,{slapd.base}"))
    huong, minh = found["huong"], found["minh"]
    assert huong.password_changed_at == datetime(2026, 2, 20, 2, tzinfo=UTC)
    assert huong.expires_at == datetime(2026, 5, 21, 2, tzinfo=UTC)
    assert huong.mfa is True
    assert (huong.disabled, minh.disabled, minh.mfa) == (False, True, None)
