"""The monthly report in the government's form, rendered to a real PDF and read back with
pdftotext (poppler-utils)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlmodel import Session

from hygiene import i18n
from hygiene.campaigns.service import clockless
from hygiene.reports import monthly, pdf
from hygiene.settings import Agency, Settings
from tests.conftest import NOW
from tests.reports.seed import seed

AGENCY = Agency(
    parent="ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
    name="ỦY BAN NHÂN DÂN HUYỆN MƯỜNG TÈ",
    place="Mường Tè",
    signer_name="Lò Thị Mai",
    signer_title="Trưởng phòng Văn hóa và Thông tin",
)


def _document(session: Session, settings: Settings, audit_key: bytes, locale: str = "vi") -> str:
    seed(session)
    values = monthly.context(
        session,
        settings=settings.model_copy(update={"agency": AGENCY}),
        audit_key=audit_key,
        at=clockless(settings, NOW),
        preparer=monthly.Preparer("Trần Văn Bảo"),
        locale=locale,
    )
    return monthly.render_html(values, locale=locale)


def _text(pdf_bytes: bytes, tmp_path: Path) -> str:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf_bytes)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed: see .ci/run"
    done = subprocess.run(
        [tool, "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


@pytest.fixture
def report_text(session: Session, settings: Settings, audit_key: bytes, tmp_path: Path) -> str:
    return _text(pdf.to_pdf(_document(session, settings, audit_key)), tmp_path)


def test_the_pdf_is_a_real_pdf(
    session: Session, settings: Settings, audit_key: bytes, tmp_path: Path
) -> None:
    produced = pdf.to_pdf(_document(session, settings, audit_key))
    (tmp_path / "monthly.pdf").write_bytes(produced)  # kept for a look: pytest's tmp dir
    assert produced.startswith(b"%PDF-")


def test_the_pdf_carries_the_national_heading_and_the_agency(report_text: str) -> None:
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in report_text
    assert "Độc lập - Tự do - Hạnh phúc" in report_text
    assert "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU" in report_text
    assert "ỦY BAN NHÂN DÂN HUYỆN MƯỜNG TÈ" in report_text


def test_the_pdf_has_the_place_and_date_line(report_text: str) -> None:
    assert "Mường Tè, ngày 02 tháng 03 năm 2026" in report_text


def test_the_pdf_names_the_preparer_and_the_signer(report_text: str) -> None:
    assert "Người lập: Trần Văn Bảo" in report_text
    assert "TRƯỞNG PHÒNG VĂN HÓA VÀ THÔNG TIN" in report_text
    assert "(Ký, ghi rõ họ tên)" in report_text
    assert "Lò Thị Mai" in report_text
    assert "@" not in report_text


def test_the_pdf_writes_percentages_the_vietnamese_way(report_text: str) -> None:
    # the no-break space before % comes out of pdftotext as whitespace, joined as a space
    assert "Đổi mật khẩu đúng hạn: 33,3 %; 2 tài khoản quá hạn." in report_text


def test_the_english_document_keeps_the_national_heading(
    session: Session, settings: Settings, audit_key: bytes
) -> None:
    html = _document(session, settings, audit_key, locale="en")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "Mường Tè, March 2, 2026" in html
    assert "Rotated on time: 33.3%" in html


def test_a_report_that_references_a_file_is_refused() -> None:
    with pytest.raises(ValueError, match="self-contained"):
        pdf.to_pdf('<img src="file:///etc/hostname">')


def test_percentages_follow_the_locale() -> None:
    assert i18n.format_percent(61.14, "vi") == "61,1\u00a0%"
    assert i18n.format_percent(61.14, "en") == "61.1%"
    assert i18n.format_number(12345, "vi") == "12.345"
