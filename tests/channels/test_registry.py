"""bootstrap.build_channels: which channels the configuration enables."""

from pathlib import Path

from sqlalchemy import Engine

from hygiene.bootstrap import build_channels
from hygiene.channels.base import Channel
from hygiene.channels.file import FileChannel
from hygiene.channels.sms import SpeedSmsChannel
from hygiene.channels.smtp import SmtpChannel
from hygiene.channels.zalo import ZaloChannel
from hygiene.settings import Settings
from tests.conftest import SECRET


def channels(settings: Settings, engine: Engine) -> dict[str, Channel]:
    return build_channels(settings, engine, SECRET.encode())


def test_it_offers_only_the_file_channel_on_first_run(tmp_path: Path, engine: Engine) -> None:
    built = channels(Settings(data_dir=tmp_path), engine)

    assert list(built) == ["file"]
    assert isinstance(built["file"], FileChannel)
    assert built["file"].directory == tmp_path / "outbox"


def test_it_writes_files_where_configured(tmp_path: Path, engine: Engine) -> None:
    settings = Settings(data_dir=tmp_path, channels={"file": {"directory": tmp_path / "out"}})

    channel = channels(settings, engine)["file"]

    assert isinstance(channel, FileChannel)
    assert channel.directory == tmp_path / "out"


def test_it_enables_smtp_when_a_host_is_set(tmp_path: Path, engine: Engine) -> None:
    settings = Settings(data_dir=tmp_path, channels={"smtp": {"host": "mail.example.vn"}})

    assert isinstance(channels(settings, engine)["smtp"], SmtpChannel)


def test_it_enables_the_configured_sms_provider(tmp_path: Path, engine: Engine) -> None:
    settings = Settings(data_dir=tmp_path, channels={"sms": {"provider": "speedsms"}})

    assert isinstance(channels(settings, engine)["sms"], SpeedSmsChannel)


def test_it_enables_zalo_when_asked(tmp_path: Path, engine: Engine) -> None:
    settings = Settings(data_dir=tmp_path, channels={"zalo": {"enabled": True}})

    assert isinstance(channels(settings, engine)["zalo"], ZaloChannel)


def test_it_defaults_implicit_tls_to_port_465(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, channels={"smtp": {"host": "m.vn", "security": "tls"}})

    assert settings.channels.smtp.port == 465
