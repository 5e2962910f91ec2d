"""The report's digital signature (ispeed.signing): a real reportlab PDF with Vietnamese text, a real
demo certificate, pyHanko's validation and poppler's pdfsig; the certificate found through the
environment's secret files and through an Airflow connection (AIRFLOW_CONN_ISPEED_SIGNING)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ispeed import paths, signing
from ispeed.signing import SigningError

pytestmark = pytest.mark.filterwarnings("ignore:DSA is deprecated")  # pyHanko 0.38 imports cryptography's DSA

FONTS = paths.INCLUDE / "fonts"
PDFSIG = Path("/usr/bin/pdfsig")
SIGNER = "Nguyễn Thị Hồng Nhung"
POSITION = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
BOX = (1, 330.0, 560.0, 540.0, 640.0)  # the blank the renderer leaves above the signer's name
ENV = ("ISPEED_SIGNING_P12", "ISPEED_SIGNING_PASSWORD_FILE", "ISPEED_SIGNING_PASSWORD", "AIRFLOW_CONN_ISPEED_SIGNING")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path]:
    """One demo certificate for the module: (PKCS#12 bundle, password file)."""
    return signing.make_demo_certificate(
        tmp_path_factory.mktemp("cert"), common_name=SIGNER, organization="Sở Khoa học và Công nghệ thành phố Hải Phòng"
    )


@pytest.fixture(autouse=True)
def no_certificate(monkeypatch):
    """No certificate configured, whatever the machine's environment holds; no Airflow lookup."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ISPEED_SKIP_AIRFLOW_CONNECTION", "1")


@pytest.fixture
def configured(demo, monkeypatch) -> signing.SigningIdentity:
    """The demo certificate configured as a Department would with secret files."""
    monkeypatch.setenv("ISPEED_SIGNING_P12", str(demo[0]))
    monkeypatch.setenv("ISPEED_SIGNING_PASSWORD_FILE", str(demo[1]))
    return signing.signing_identity()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A one-page report in Vietnamese (Liberation Serif), with its signature block."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("LiberationSerif", str(FONTS / "LiberationSerif-Regular.ttf")))
    path = tmp_path_factory.mktemp("report") / "bao-cao-ispeed-2024-10.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("LiberationSerif", 13)
    c.drawString(72, 780, "BÁO CÁO kết quả cài đặt, sử dụng công cụ i-Speed tháng 10/2024")
    c.drawString(72, 760, "Tốc độ tải xuống trung bình 4G của Viettel đạt 52,3 Mbps (≥ 40 Mbps).")
    c.drawCentredString(435, 660, "KT. GIÁM ĐỐC")
    c.drawCentredString(435, 645, "PHÓ GIÁM ĐỐC")
    c.drawCentredString(435, 540, SIGNER)
    c.showPage()
    c.save()
    return path


def _pdfsig(path: Path) -> str:
    if not PDFSIG.exists():
        pytest.skip("poppler's pdfsig is not installed (/usr/bin/pdfsig; apt-get install poppler-utils)")
    return subprocess.run([str(PDFSIG), str(path)], capture_output=True, text=True, timeout=60).stdout


def _sign(report: Path, dst: Path, **kw) -> signing.SignedPdf:
    return signing.sign_pdf(report, dst, signer_name=SIGNER, position=POSITION, **{"box": BOX, **kw})


def test_the_demo_certificate_is_a_private_bundle_and_password_file(demo, configured):
    p12, password = demo
    assert p12.stat().st_mode & 0o777 == 0o600 and password.stat().st_mode & 0o777 == 0o600
    assert configured.subject_cn == SIGNER and "ISPEED_SIGNING_P12" in configured.source
    assert dt.timedelta(days=700) < configured.not_after - dt.datetime.now(dt.UTC) < dt.timedelta(days=731)
    assert password.read_text().strip() not in repr(configured)


def test_a_signed_report_is_valid_for_pyhanko_and_pdfsig(report, configured, tmp_path):
    signed = _sign(report, tmp_path / "signed.pdf")
    data = signed.path.read_bytes()
    assert signed.sha256 == hashlib.sha256(data).hexdigest() and data.startswith(report.read_bytes())
    assert signed.signed_at.utcoffset() == dt.timedelta(hours=7) and signed.visible
    assert signed.certificate_fingerprint == configured.fingerprint and SIGNER in signed.signer
    assert [p.name for p in tmp_path.iterdir()] == ["signed.pdf"]  # no temporary file left

    check = signing.verify_pdf(signed.path, trust=None)
    assert check.intact and check.valid and check.covers_whole_file and check.signer == SIGNER
    assert check.self_trusted and "checked against no authority" in check.message
    assert check.signed_at == signed.signed_at
    trusted = signing.verify_pdf(signed.path, trust=[configured.certificate])
    assert trusted.valid and not trusted.self_trusted and "chains to a trusted root" in trusted.message

    out = _pdfsig(signed.path)
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Total document signed" in out and "ETSI.CAdES.detached" in out


def test_the_stamp_is_drawn_in_the_box_with_the_signer_in_vietnamese(report, configured, tmp_path):
    from pypdf import PdfReader

    tomorrow = dt.date.today() + dt.timedelta(days=1)  # the demo certificate is valid from an hour ago
    at = dt.datetime.combine(tomorrow, dt.time(2, 30), tzinfo=dt.UTC)
    signed = _sign(report, tmp_path / "signed.pdf", signed_at=at)
    assert signed.signed_at == at and signed.signed_at.hour == 9  # shown in Asia/Ho_Chi_Minh
    (annot,) = [a.get_object() for a in PdfReader(signed.path).pages[0]["/Annots"]]
    assert annot["/FT"] == "/Sig" and [float(v) for v in annot["/Rect"]] == list(BOX[1:])
    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is not installed: the stamp's text was not read back")
    text = subprocess.run(["pdftotext", str(signed.path), "-"], capture_output=True, text=True).stdout
    # the certificate's holder, not a name from the configuration (the title and the name around the
    # box are the report's own)
    for line in ("(Đã ký)", f"Ký số bởi: {SIGNER}", f"Thời gian ký: 09:30:00 ngày {tomorrow:%d/%m/%Y} (GMT+7)"):
        assert line in text, (line, text)


def test_one_byte_changed_in_the_signed_range_breaks_the_signature(report, configured, tmp_path):
    signed = _sign(report, tmp_path / "signed.pdf").path
    data = bytearray(signed.read_bytes())
    at = data.index(b"ReportLab Generated")  # in the header comment: the PDF still parses
    assert at < int(data[data.index(b"/ByteRange") :].split(b"[")[1].split()[1])  # inside [0, length of part 1)
    data[at] = ord("X")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))

    check = signing.verify_pdf(tampered, trust=None)
    assert not check.intact and not check.valid and "changed after" in check.message
    out = _pdfsig(tampered)
    assert "Signature is Valid" not in out and "Digest Mismatch" in out, out


def test_without_a_box_the_signature_is_invisible(report, configured, tmp_path):
    from pypdf import PdfReader

    signed = _sign(report, tmp_path / "signed.pdf", box=None)
    assert not signed.visible and signing.verify_pdf(signed.path, trust=None).valid
    (annot,) = [a.get_object() for a in PdfReader(signed.path).pages[0]["/Annots"]]
    assert [float(v) for v in annot["/Rect"]] == [0, 0, 0, 0]


def test_a_wrong_password_names_the_bundle(report, demo, monkeypatch, tmp_path):
    wrong = tmp_path / "password"
    wrong.write_text("not-the-password\n")
    monkeypatch.setenv("ISPEED_SIGNING_P12", str(demo[0]))
    monkeypatch.setenv("ISPEED_SIGNING_PASSWORD_FILE", str(wrong))
    with pytest.raises(SigningError, match="wrong password") as err:
        signing.signing_identity()
    assert str(demo[0]) in str(err.value) and "ISPEED_SIGNING_PASSWORD_FILE" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__  # no pyHanko/cryptography trace


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("missing", "does not exist"), ("report", "is not a PKCS#12 bundle"), ("no password", "needs a password")],
)
def test_a_certificate_that_cannot_be_read_says_why(setting, expected, report, demo, monkeypatch, tmp_path):
    p12 = {"missing": tmp_path / "nowhere.p12", "report": report, "no password": demo[0]}[setting]
    monkeypatch.setenv("ISPEED_SIGNING_P12", str(p12))
    with pytest.raises(SigningError, match=expected) as err:
        signing.signing_identity()
    assert str(p12) in str(err.value)


def test_unconfigured_is_unsigned_unless_required(report, monkeypatch, tmp_path):
    assert signing.signing_identity() is None
    with pytest.raises(SigningError, match="no signing certificate is configured"):
        _sign(report, tmp_path / "signed.pdf")
    config = tmp_path / "config"
    config.mkdir()
    text = (paths.CONFIG_DIR / "signing.yaml").read_text(encoding="utf-8")
    (config / "signing.yaml").write_text(text.replace("required: false", "required: true"), encoding="utf-8")
    monkeypatch.setattr(paths, "CONFIG_DIR", config)
    with pytest.raises(SigningError, match="requires the report to be signed") as err:
        signing.signing_identity()
    assert "ispeed_signing" in str(err.value) and "ISPEED_SIGNING_P12" in str(err.value)


def test_a_certificate_out_of_its_validity_does_not_sign(report, configured, tmp_path):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3 * 365)
    with pytest.raises(SigningError, match="is valid from .* not on"):
        _sign(report, tmp_path / "signed.pdf", signed_at=later)
    assert not (tmp_path / "signed.pdf").exists()


def test_the_airflow_connection_comes_first(report, demo, monkeypatch, tmp_path):
    """AIRFLOW_CONN_ISPEED_SIGNING as a JSON connection, read by Airflow's BaseHook as mail.py reads
    smtp_default: a file path in extra, or the bundle itself in base64; it wins over the environment."""
    p12, password = demo[0], demo[1].read_text().strip()
    monkeypatch.delenv("ISPEED_SKIP_AIRFLOW_CONNECTION")
    monkeypatch.setenv("ISPEED_SIGNING_P12", str(tmp_path / "not-used.p12"))  # would fail if read
    connection = {"conn_type": "generic", "password": password, "extra": {"p12_path": str(p12)}}
    monkeypatch.setenv("AIRFLOW_CONN_ISPEED_SIGNING", json.dumps(connection))
    identity = signing.signing_identity()
    assert identity.subject_cn == SIGNER and "Airflow connection 'ispeed_signing'" in identity.source

    connection["extra"] = {"p12_base64": base64.b64encode(p12.read_bytes()).decode()}
    monkeypatch.setenv("AIRFLOW_CONN_ISPEED_SIGNING", json.dumps(connection))
    identity = signing.signing_identity()
    assert "p12_base64" in identity.source
    signed = _sign(report, tmp_path / "signed.pdf", identity=identity)
    assert signing.verify_pdf(signed.path, trust=[identity.certificate]).valid

    connection["password"] = "wrong"
    monkeypatch.setenv("AIRFLOW_CONN_ISPEED_SIGNING", json.dumps(connection))
    with pytest.raises(SigningError, match="Airflow connection 'ispeed_signing'.*wrong password"):
        signing.signing_identity()


def test_no_airflow_connection_is_not_an_error(demo, monkeypatch):
    monkeypatch.delenv("ISPEED_SKIP_AIRFLOW_CONNECTION")
    assert signing.signing_identity() is None
    monkeypatch.setenv("ISPEED_SIGNING_P12", str(demo[0]))
    monkeypatch.setenv("ISPEED_SIGNING_PASSWORD", demo[1].read_text().strip())
    assert signing.signing_identity().source.endswith("(ISPEED_SIGNING_P12)")


@pytest.fixture
def tsa(monkeypatch, tmp_path):
    """A timestamp authority on 127.0.0.1 (pyHanko's DummyTimeStamper behind http.server), and
    signing.yaml set to B-T with it: the TSA's certificate."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "TSA thử nghiệm")])
    now = dt.datetime.now(dt.UTC)
    builder = x509.CertificateBuilder(name, name, key.public_key(), x509.random_serial_number())
    builder = builder.not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
    eku = x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING])
    cert = builder.add_extension(eku, critical=True).sign(key, hashes.SHA256())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(der),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "config"
    config.mkdir()
    text = (
        (paths.CONFIG_DIR / "signing.yaml").read_text(encoding="utf-8").replace("pades_level: B-B", "pades_level: B-T")
    )
    text = text.replace('timestamp_url: ""', f'timestamp_url: "http://127.0.0.1:{server.server_port}/"')
    (config / "signing.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(paths, "CONFIG_DIR", config)
    yield cert
    server.shutdown()
    server.server_close()


def test_b_t_adds_a_timestamp_that_the_check_needs_to_trust(report, configured, tsa, tmp_path):
    signed = _sign(report, tmp_path / "signed.pdf")
    assert signed.pades_level == "B-T"
    assert signing.verify_pdf(signed.path, trust=[configured.certificate, tsa]).valid
    check = signing.verify_pdf(signed.path, trust=[configured.certificate])
    assert check.intact and not check.valid and "timestamp" in check.message
    assert "Signature is Valid." in _pdfsig(signed.path)
