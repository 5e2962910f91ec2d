"""The approved report's digital signature (ký số): PAdES with pyHanko (docs/signing.md).

    signing_identity()             the certificate configured (include/config/signing.yaml), or None
    sign_pdf(src, dst, box=...)    a PAdES signature, visible in ``box`` or invisible: a SignedPdf
    verify_pdf(path, trust=...)    pyHanko's validation of the last signature: a Verification
    make_demo_certificate(folder)  a throw-away self-signed PKCS#12 bundle and its password file

Every error is a SigningError that says what was wrong, where, and what to do.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import io
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from ispeed import paths
from ispeed.config import ConfigError, load_yaml

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT = paths.INCLUDE / "fonts" / "LiberationSerif-Regular.ttf"
TEMPLATES = paths.TEMPLATES_DIR / "signing"
FIELD_PREFIX = "KySo"  # the signature fields: KySo1, KySo2, ...


class SigningError(RuntimeError):
    """The report cannot be signed (or checked) as configured; the message says why, to a person."""


@dataclass(frozen=True)
class SigningSettings:
    """include/config/signing.yaml; what it leaves out or empty, as here (env.p12 is p12_env, ...)."""

    conn_id: str = "ispeed_signing"
    p12_env: str = "ISPEED_SIGNING_P12"
    password_file_env: str = "ISPEED_SIGNING_PASSWORD_FILE"
    password_env: str = "ISPEED_SIGNING_PASSWORD"
    reason: str = ""
    location: str = ""
    pades_level: str = "B-B"  # or B-T
    timestamp_url: str = ""
    required: bool = False


def signing_settings() -> SigningSettings:
    raw = load_yaml("signing")
    raw |= {f"{k}_env": v for k, v in (raw.get("env") or {}).items()}
    given = {f.name: raw[f.name] for f in fields(SigningSettings) if raw.get(f.name) not in (None, "")}
    s = SigningSettings(**{k: v if k == "required" else str(v) for k, v in given.items()})
    s = replace(s, pades_level=s.pades_level.upper(), required=s.required is True)
    if s.pades_level not in ("B-B", "B-T"):
        raise ConfigError(f"include/config/signing.yaml: pades_level must be B-B or B-T, not {s.pades_level!r}")
    if s.pades_level == "B-T" and not s.timestamp_url:
        raise ConfigError("include/config/signing.yaml: pades_level B-T needs a timestamp_url (an RFC 3161 server)")
    return s


@dataclass(frozen=True)
class SigningIdentity:
    """A certificate and its key, loaded; ``source`` says where from. Key and password stay out of repr."""

    source: str
    subject_cn: str
    subject: str
    not_after: dt.datetime
    fingerprint: str  # sha256 of the certificate (DER), hex
    certificate: object = field(repr=False, compare=False)  # cryptography.x509.Certificate
    p12: bytes = field(repr=False, compare=False, default=b"")
    password: bytes | None = field(repr=False, compare=False, default=None)


@dataclass(frozen=True)
class SignedPdf:
    path: Path
    sha256: str  # of the signed file
    signer: str  # the certificate's subject
    signed_at: dt.datetime  # Asia/Ho_Chi_Minh, as in the stamp and the signature's /M
    certificate_fingerprint: str
    visible: bool
    pades_level: str


@dataclass(frozen=True)
class Verification:
    path: Path
    intact: bool  # the bytes signed are the bytes in the file
    valid: bool  # intact, the signature's maths right, the signer trusted, the whole file covered
    self_trusted: bool  # trusted only because the embedded certificate was trusted as it is (trust=None)
    covers_whole_file: bool
    signer: str | None  # the signer's common name
    signed_at: dt.datetime | None  # as the signer claims it (/M)
    message: str


# ---------------------------------------------------------------- the certificate
def _read(path: Path, what: str, remedy: str) -> bytes:
    try:
        return path.expanduser().read_bytes()
    except FileNotFoundError:
        raise SigningError(f"{what} does not exist: {remedy}") from None
    except OSError as exc:
        raise SigningError(f"{what} cannot be read ({exc.strerror}): {remedy}") from None


def _load(p12: bytes, password: bytes | None, source: str, remedy: str) -> SigningIdentity:
    from asn1crypto import pkcs12 as asn1_pkcs12
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    try:
        key, cert, _ = pkcs12.load_key_and_certificates(p12, password)
    except ValueError:
        try:
            asn1_pkcs12.Pfx.load(p12).native  # noqa: B018 - parses the whole structure, or raises
        except Exception:
            raise SigningError(f"{source} is not a PKCS#12 bundle (.p12/.pfx): {remedy}") from None
        what = "needs a password and none was given" if password is None else "could not be opened: wrong password"
        raise SigningError(f"{source} {what}: {remedy}") from None
    if key is None or cert is None:
        raise SigningError(f"{source} holds no private key with its certificate: export the bundle with its key")
    cns, subject = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME), cert.subject.rfc4514_string()
    cn, fingerprint = str(cns[0].value) if cns else subject, cert.fingerprint(hashes.SHA256()).hex()
    return SigningIdentity(source, cn, subject, cert.not_valid_after_utc, fingerprint, cert, p12, password)


def _from_airflow(conn_id: str) -> SigningIdentity | None:
    """The Airflow connection's bundle, or None when Airflow has no such connection (looked up as
    mail.smtp_connection does: AIRFLOW_CONN_* and secrets backends from plain code, all in a task)."""
    try:
        from airflow.sdk import BaseHook  # imported here: the package must work without Airflow
    except ImportError:  # pragma: no cover - Airflow is a requirement
        return None
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:
        if any(c.__name__ == "AirflowNotFoundException" for c in type(exc).__mro__):
            return None
        raise SigningError(f"the Airflow connection {conn_id!r} could not be read: {type(exc).__name__}") from None
    extra, where = conn.extra_dejson or {}, f"the Airflow connection {conn_id!r}"
    remedy = f"correct {where} (extra p12_path or p12_base64, the bundle's password as its password)"
    password = conn.password.encode() if conn.password else None
    if path := extra.get("p12_path"):
        source = f"the PKCS#12 file {path} (extra p12_path of {where})"
        return _load(_read(Path(str(path)), source, remedy), password, source, remedy)
    if extra.get("p12_base64"):
        try:
            p12 = base64.b64decode("".join(str(extra["p12_base64"]).split()), validate=True)
        except (binascii.Error, ValueError):
            raise SigningError(f"extra p12_base64 of {where} is not base64: {remedy}") from None
        return _load(p12, password, f"the PKCS#12 bundle in extra p12_base64 of {where}", remedy)
    raise SigningError(f"{where} has neither p12_path nor p12_base64 in its extra: {remedy}")


def _from_env(s: SigningSettings) -> SigningIdentity | None:
    if not (path := os.environ.get(s.p12_env, "").strip()):
        return None
    remedy = f"set {s.p12_env} to the bundle and {s.password_file_env} to a file holding its password"
    password = os.environ[s.password_env].encode() if os.environ.get(s.password_env) else None
    if pw_file := os.environ.get(s.password_file_env, "").strip():
        password = _read(Path(pw_file), f"the password file {pw_file} ({s.password_file_env})", remedy).rstrip(b"\r\n")
    source = f"the PKCS#12 file {path} ({s.p12_env})"
    return _load(_read(Path(path), source, remedy), password, source, remedy)


def signing_identity(*, required: bool | None = None) -> SigningIdentity | None:
    """The certificate configured: the Airflow connection (unless ISPEED_SKIP_AIRFLOW_CONNECTION is
    set), else the files the environment names, else None; when ``required`` (signing.yaml's by
    default), none is a SigningError."""
    s = signing_settings()
    skip = os.environ.get("ISPEED_SKIP_AIRFLOW_CONNECTION", "") not in ("", "0")
    identity = (None if skip else _from_airflow(s.conn_id)) or _from_env(s)
    if identity is None and (s.required if required is None else required):
        why = "include/config/signing.yaml requires the report to be signed, but " if required is None else ""
        raise SigningError(
            f"{why}no signing certificate is configured: set the Airflow connection {s.conn_id!r} (extra p12_path "
            f"or p12_base64, password) or {s.p12_env} and {s.password_file_env} (docs/signing.md)"
        )
    return identity


# ---------------------------------------------------------------- signing
def _stamp_style(**context):
    """The stamp: include/templates/signing/stamp.txt filled (without its empty lines) in Liberation
    Serif 10/12 pt (shrunk to fit the box), centred, framed."""
    import jinja2
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined)
    lines = env.get_template("stamp.txt").render(context).splitlines()
    text = "\n".join(line.strip() for line in lines if line.strip())
    # The font cut to the glyphs of the text and scaled to 1000 units per em: pyHanko 0.38 writes a
    # TrueType font's glyph widths (/W) in the font's own units, which PDF reads as 1/1000 em, so
    # Liberation (2048 units) would be drawn with its letters twice as far apart as they should be.
    font = TTFont(str(FONT))
    if "FFTM" in font:
        del font["FFTM"]  # FontForge's time stamps: fontTools cannot subset them and says so
    subsetter = subset.Subsetter(subset.Options(hinting=False, notdef_outline=True, name_IDs=["*"]))
    subsetter.populate(text=text)
    subsetter.subset(font)
    scale_upem(font, 1000)
    font.save(data := io.BytesIO())

    @dataclass(frozen=True)
    class InMemoryFont(GlyphAccumulatorFactory):  # GlyphAccumulatorFactory reads a file; this, the bytes
        def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(writer, io.BytesIO(data.getvalue()), self.font_size, obj_stream=obj_stream)

    mid = layout.AxisAlignment.ALIGN_MID
    rule = layout.SimpleBoxLayoutRule(x_align=mid, y_align=mid, margins=layout.Margins.uniform(3))
    box_style = TextBoxStyle(font=InMemoryFont(str(FONT), font_size=10), font_size=10, leading=12, box_layout_rule=rule)
    frame = {"border_width": 1, "border_color": (0.7, 0.1, 0.1), "background": None, "inner_content_layout": rule}
    return TextStampStyle(stamp_text=text.replace("%", "%%"), text_box_style=box_style, **frame)


async def _sign(pdf_signer, writer, signed_at: dt.datetime) -> bytes:
    """PdfSigner.async_sign_pdf's steps, with the signing time given: /M and the stamp agree."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    session = pdf_signer.init_signing_session(writer)
    session.system_time = signed_at
    info = await session.perform_presign_validation(writer)
    reserved = await session.estimate_signature_container_size(info)
    tbs = session.prepare_tbs_document(validation_info=info, bytes_reserved=reserved)
    digest, out = tbs.digest_tbs_document()
    attrs = PdfCMSSignedAttributes(signing_time=signed_at, adobe_revinfo_attr=info and info.adobe_revinfo_attr)
    post = await tbs.perform_signature(document_digest=digest.document_digest, pdf_cms_signed_attrs=attrs)
    await post.post_signature_processing(out)
    return out.getvalue()


def sign_pdf(
    src: Path,
    dst: Path,
    *,
    box: tuple[int, float, float, float, float] | None,
    signer_name: str,
    position: str,
    signed_mark: str = "(Đã ký)",
    identity: SigningIdentity | None = None,
    signed_at: dt.datetime | None = None,
    location: str | None = None,
) -> SignedPdf:
    """``src`` signed (PAdES, the level of signing.yaml) into ``dst``, written whole or not at all
    (``dst`` may be ``src``). ``box``: (page from 1, x1, y1, x2, y2) in PDF points from the page's
    bottom left, where the stamp (stamp.txt: signed_mark, name, position, time) is drawn; None signs
    invisibly. ``identity``: signing_identity() by default; ``location``: signing.yaml's."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter, enumerate_sig_fields
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    s = signing_settings()
    identity = identity or signing_identity(required=True)
    signed_at = (signed_at or dt.datetime.now(TZ)).astimezone(TZ).replace(microsecond=0)
    start, end = identity.certificate.not_valid_before_utc, identity.certificate.not_valid_after_utc
    if not start <= signed_at <= end:
        why = f"is valid from {start:%d/%m/%Y} to {end:%d/%m/%Y}, not on {signed_at:%d/%m/%Y}: configure a current one"
        raise SigningError(f"the certificate of {identity.subject_cn} ({identity.source}) {why}")
    location = s.location if location is None else location
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(_read(Path(src), f"the PDF to sign {src}", "render it again")))
        pages = int(writer.root["/Pages"]["/Count"])
        name = f"{FIELD_PREFIX}{len(list(enumerate_sig_fields(writer.prev))) + 1}"
    except (PdfError, KeyError, ValueError) as exc:
        raise SigningError(f"{src} is not a PDF that can be signed ({exc}): render it again") from None
    stamp, spec = None, SigFieldSpec(sig_field_name=name)
    if box is not None:
        page, x1, y1, x2, y2 = box
        if not (1 <= page <= pages and x1 < x2 and y1 < y2):
            raise SigningError(f"the signature box {box} is empty or not on a page of {src} ({pages} pages)")
        spec = SigFieldSpec(sig_field_name=name, on_page=page - 1, box=(x1, y1, x2, y2))
        when = {"date": f"{signed_at:%d/%m/%Y}", "time": f"{signed_at:%H:%M:%S}", "signed_at": signed_at}
        who = {"signed_mark": signed_mark, "name": signer_name, "position": position, "subject": identity.subject_cn}
        stamp = _stamp_style(**who, **when, reason=s.reason, location=location)
    said = {"subfilter": SigSeedSubFilter.PADES, "reason": s.reason or None, "location": location or None}
    meta = signers.PdfSignatureMetadata(field_name=name, md_algorithm="sha256", name=signer_name or None, **said)
    timestamper = RequestsHTTPTimeStamper(s.timestamp_url, timeout=30) if s.pades_level == "B-T" else None
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(identity.p12, other_certs=[], passphrase=identity.password)
        pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=stamp, new_field_spec=spec)
        signed = asyncio.run(_sign(pdf_signer, writer, signed_at))
    except Exception as exc:
        tsa = f" with a timestamp from {s.timestamp_url} (or set pades_level: B-B)" if timestamper else ""
        raise SigningError(f"{src} could not be signed{tsa}: {type(exc).__name__}: {exc}") from exc
    _write(dst := Path(dst), signed, 0o644)
    digest = hashlib.sha256(signed).hexdigest()
    return SignedPdf(dst, digest, identity.subject, signed_at, identity.fingerprint, box is not None, s.pades_level)


# ---------------------------------------------------------------- checking
def verify_pdf(path: Path, *, trust: Sequence | None) -> Verification:
    """pyHanko's validation of the last signature of ``path``, trusting the certificates ``trust``
    (cryptography x509 certificates: the signer's root CA). With None, the embedded signer certificate
    is trusted as it is (a self-signed demo certificate), and the result says so. Revocation is not
    checked: no CRL or OCSP is fetched."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    data = _read(path := Path(path), f"the signed PDF {path}", "check the path")

    def failed(message: str, signer: str | None = None) -> Verification:
        return Verification(path, False, False, trust is None, False, signer, None, message)

    try:
        sigs = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:
        return failed(f"{path.name} cannot be read as a PDF ({type(exc).__name__}: {exc})")
    if not sigs:
        return failed(f"{path.name} carries no signature")
    sig = sigs[-1]
    signer = sig.signer_cert.subject.native.get("common_name") or sig.signer_cert.subject.human_friendly
    given = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trust or ()]
    roots = [sig.signer_cert] if trust is None else given
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    usage = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False)
    try:
        status = validate_pdf_signature(sig, context, key_usage_settings=usage)
    except Exception as exc:
        return failed(f"the signature of {signer} could not be checked ({type(exc).__name__}: {exc})", signer)
    whole, ts = status.coverage == SignatureCoverageLevel.ENTIRE_FILE, status.timestamp_validity
    valid = bool(status.bottom_line and status.intact and status.valid and whole)
    signed_at = status.signer_reported_dt.astimezone(TZ) if status.signer_reported_dt else None
    how = "its own certificate taken as trusted: checked against no authority (trust=None)"
    how = "its certificate chains to a trusted root" if trust is not None else how
    message = next(text for wrong, text in [
        (not status.intact, f"the file was changed after {signer} signed it: the signed bytes no longer match"),
        (not status.valid, f"the signature of {signer} is not mathematically valid for its certificate"),
        (not whole, f"the signature of {signer} does not cover the whole file: something was added after signing"),
        (ts is not None and not (ts.intact and ts.valid and ts.trusted),
         "the signature's timestamp is not valid, or its authority (TSA) is not trusted: add its root to trust"),
        (not valid, f"the certificate of {signer} does not chain to a trusted root ({status.trust_problem_indic})"),
        (True, f"valid signature of {signer}, covering the whole file; {how}; revocation not checked"),
    ] if wrong)  # fmt: skip
    return Verification(path, bool(status.intact), valid, trust is None, whole, signer, signed_at, message)


# ---------------------------------------------------------------- the demo's certificate
def make_demo_certificate(folder: Path, *, common_name: str, organization: str) -> tuple[Path, Path]:
    """A throw-away self-signed certificate (RSA 2048, 2 years, digitalSignature and nonRepudiation)
    and its key as ``folder/demo-signing.p12``, its random password in ``folder/demo-signing.password``
    (both 0600). For the demo only: nobody trusts it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attrs = (NameOID.COUNTRY_NAME, "VN"), (NameOID.ORGANIZATION_NAME, organization), (NameOID.COMMON_NAME, common_name)
    name = x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    builder = x509.CertificateBuilder(name, name, key.public_key(), x509.random_serial_number())
    builder = builder.not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=730))
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    # digitalSignature and contentCommitment (nonRepudiation), none of the seven others
    builder = builder.add_extension(x509.KeyUsage(True, True, *[False] * 7), critical=True)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    password = secrets.token_urlsafe(24).encode()
    p12 = pkcs12.serialize_key_and_certificates(b"ispeed-demo", key, cert, None, BestAvailableEncryption(password))
    _write(p12_path := Path(folder) / "demo-signing.p12", p12, 0o600)
    _write(password_file := Path(folder) / "demo-signing.password", password + b"\n", 0o600)
    return p12_path, password_file


def _write(path: Path, data: bytes, mode: int) -> None:
    """``path`` written whole or not at all, with ``mode`` (less the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as fh:
            fh.write(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
