"""build_channels: which channels the configuration enables."""

from pathlib import Path

from hygiene.channels.file import FileChannel
from hygiene.channels.registry import build_channels
from hygiene.channels.sms import SpeedSmsChannel
from hygiene.channels.smtp import SmtpChannel
from hygiene.channels.zalo import ZaloChannel
from hygiene.settings import Settings


def test_it_offers_only_the_file_channel_on_first_run(tmp_path: Path) -> None:
    channels = build_channels(Settings(data_dir=tmp_path))

    assert list(channels) == ["file"]
    assert isinstance(channels["file"], FileChannel)
    assert channels["file"].directory == tmp_path / "outbox"


def test_it_writes_files_where_configured(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, channels={"file": {"directory": tmp_path / "out"}})

    channel = build_channels(settings)["file"]

    assert isinstance(channel, FileChannel)
    assert channel.directory == tmp_path / "out"


def test_it_enables_smtp_when_a_host_is_set(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, channels={"smtp": {"host": "mail.example.vn"}})

    assert isinstance(build_channels(settings)["smtp"], SmtpChannel)


def test_it_enables_the_configured_sms_provider(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, channels={"sms": {"provider": "speedsms"}})

    assert isinstance(build_channels(settings)["sms"], SpeedSmsChannel)


def test_it_enables_zalo_when_asked(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, channels={"zalo": {"enabled": True}})

    assert isinstance(build_channels(settings)["zalo"], ZaloChannel)


def test_it_defaults_implicit_tls_to_port_465(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, channels={"smtp": {"host": "m.vn", "security": "tls"}})

    assert settings.channels.smtp.port == 465
