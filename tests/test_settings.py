from pathlib import Path

import pytest

from hygiene.errors import ConfigError
from hygiene.settings import load_settings


def test_defaults_are_vietnamese_and_local(tmp_path: Path) -> None:
    settings = load_settings()

    assert (settings.timezone, settings.locale) == ("Asia/Ho_Chi_Minh", "vi")
    assert settings.db_url == "sqlite:///var/hygiene.db"
    assert settings.policies["email"].lead_days == [14, 7, 1]
    assert settings.channels.smtp.host is None


def test_the_toml_file_named_by_hygiene_config_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hygiene.toml"
    path.write_text(
        'locale = "en"\n[policies.email]\nrotation_days = 30\nlead_days = [1, 3]\n'
        '[channels.smtp]\nhost = "mail.example"\n',
        "utf-8",
    )
    monkeypatch.setenv("HYGIENE_CONFIG", str(path))

    settings = load_settings()

    assert settings.locale == "en"
    assert (settings.policies["email"].rotation_days, settings.policies["email"].lead_days) == (
        30,
        [3, 1],
    )
    assert settings.channels.smtp.host == "mail.example"


def test_environment_overrides_nested_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "hygiene.toml"
    path.write_text('[channels.smtp]\nhost = "mail.example"\nport = 25\n', "utf-8")
    monkeypatch.setenv("HYGIENE_CONFIG", str(path))
    monkeypatch.setenv("HYGIENE_CHANNELS__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("HYGIENE_CHANNELS__SMTP__SECURITY", "none")
    monkeypatch.setenv("HYGIENE_DATA_DIR", str(tmp_path / "data"))

    settings = load_settings()

    assert (settings.channels.smtp.host, settings.channels.smtp.port) == ("127.0.0.1", 25)
    assert settings.channels.smtp.security == "none"
    assert settings.db_url == f"sqlite:///{tmp_path / 'data' / 'hygiene.db'}"


def test_a_secret_can_come_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "smtp.pw").write_text("s3cret-from-file\n", "utf-8")
    monkeypatch.setenv("HYGIENE_CHANNELS__SMTP__PASSWORD_FILE", str(tmp_path / "smtp.pw"))

    assert load_settings().channels.smtp.secret() == "s3cret-from-file"


@pytest.mark.parametrize(
    ("variable", "value", "key"),
    [
        ("HYGIENE_CHANNELS__SMTP__PORT", "not-a-port", "channels.smtp.port"),
        ("HYGIENE_TIMEZONE", "Mars/Olympus", "timezone"),
        ("HYGIENE_LOCALE", "fr", "locale"),
        ("HYGIENE_SECRET_KEY", "changeme", "secret_key"),
        ("HYGIENE_CHANNELS__SMTP__FROM_NAME", "IT\nHelpdesk", "channels.smtp.from_name"),
        (
            "HYGIENE_CHANNELS__SMTP__FROM_ADDRESS",
            "IT <it@ubnd.example>",
            "channels.smtp.from_address",
        ),
        (
            "HYGIENE_CHANNELS__SMTP__FROM_ADDRESS",
            "it@ubnd.example\r\nRSET",
            "channels.smtp.from_address",
        ),
    ],
)
def test_invalid_configuration_names_the_key(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, key: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert caught.value.params["key"] == key
    assert f"«{key}»" in caught.value.render("vi")
    for text in (caught.value.render("vi"), caught.value.render("en")):  # no pydantic words
        assert "Input should" not in text
        assert "Value error" not in text


@pytest.mark.parametrize(
    ("variable", "value", "vi", "en"),
    [
        ("HYGIENE_CHANNELS__SMTP__PORT", "x", "cần một số nguyên", "a whole number is needed"),
        ("HYGIENE_CHANNELS__SMTP__POOL_SIZE", "0", "phải từ 1 trở lên", "must be at least 1"),
        ("HYGIENE_CHANNELS__SMTP__TIMEOUT", "0", "phải lớn hơn 0 (", "must be greater than 0 ("),
        (
            "HYGIENE_CHANNELS__SMTP__SECURITY",
            "ssl",
            "phải là một trong các giá trị 'starttls', 'tls', 'none' (",
            "must be one of 'starttls', 'tls', 'none' (",
        ),
        (
            "HYGIENE_TIMEZONE",
            "Mars/Olympus",
            "không có múi giờ «Mars/Olympus»",
            "no time zone 'Mars/Olympus'",
        ),
        ("HYGIENE_SECRET_KEY", "changeme", "hãy thay khóa mẫu", "replace the placeholder secret"),
    ],
)
def test_the_reason_is_written_in_the_operators_language(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, vi: str, en: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert vi in caught.value.render("vi")
    assert en in caught.value.render("en")


def test_an_unknown_key_in_the_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hygiene.toml"
    path.write_text('[delivery]\nwindow_stat = "07:00"\n', "utf-8")
    monkeypatch.setenv("HYGIENE_CONFIG", str(path))

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert caught.value.params["key"] == "delivery.window_stat"
    assert "«delivery.window_stat»: không có khóa này (sai chính tả?)" in caught.value.render("vi")


def test_a_missing_or_broken_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYGIENE_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError) as missing:
        load_settings()
    (tmp_path / "bad.toml").write_text("locale = ", "utf-8")
    monkeypatch.setenv("HYGIENE_CONFIG", str(tmp_path / "bad.toml"))
    with pytest.raises(ConfigError) as broken:
        load_settings()

    assert (missing.value.code, broken.value.code) == ("config.missing_file", "config.bad_toml")
    assert "sai cú pháp TOML ở cuối tệp (trình đọc TOML báo: Invalid value)" in broken.value.render(
        "vi"
    )


def test_a_toml_error_names_its_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bad.toml").write_text('locale = "vi"\n[delivery]\nbatch_size = 1 2\n', "utf-8")
    (tmp_path / "latin1.toml").write_bytes(b'timezone = "H\xe0 N\xf4i"\n')  # Latin-1
    monkeypatch.setenv("HYGIENE_CONFIG", str(tmp_path / "bad.toml"))
    with pytest.raises(ConfigError) as syntax:
        load_settings()
    monkeypatch.setenv("HYGIENE_CONFIG", str(tmp_path / "latin1.toml"))
    with pytest.raises(ConfigError) as encoding:
        load_settings()

    assert "sai cú pháp TOML ở dòng 3, cột 16" in syntax.value.render("vi")
    assert "is not valid TOML at line 3, column 16" in syntax.value.render("en")
    assert "không phải văn bản UTF-8 (byte thứ 13)" in encoding.value.render("vi")


def test_the_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    example = Path(__file__).parent.parent / "config" / "hygiene.example.toml"
    monkeypatch.setenv("HYGIENE_CONFIG", str(example))

    settings = load_settings()

    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert set(settings.policies) == {"email", "messaging", "social", "government", "other"}


def test_a_lease_shorter_than_two_channel_timeouts_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HYGIENE_CHANNELS__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("HYGIENE_CHANNELS__SMTP__TIMEOUT", "30")
    monkeypatch.setenv("HYGIENE_DELIVERY__LEASE_SECONDS", "59")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.params["key"] == "delivery.lease_seconds"
    assert "59 giây là ít hơn hai lần channels.smtp.timeout (30 giây)" in caught.value.render("vi")
    assert "59 s is less than twice channels.smtp.timeout (30 s)" in caught.value.render("en")
    monkeypatch.setenv("HYGIENE_DELIVERY__LEASE_SECONDS", "60")
    assert load_settings().delivery.lease_seconds == 60
