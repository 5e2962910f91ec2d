"""Every return a message holds: its attachments (.xlsx, .csv), the files inside a .zip, and the
attachments of a forwarded message (message/rfc822), with their names decoded (RFC 2231 and RFC
2047, Vietnamese diacritics) and made safe to store.

    found = extract(raw_bytes, limits)   # Extracted: the files, the ones refused (why, in Vietnamese)

Nothing is executed: a workbook is bytes here, read later as data (openpyxl reads cells, never
macros). Limits (include/config/mailbox.yaml): the size of a file, how many files, a .zip's entries,
its uncompressed size and ratio (a zip bomb is refused, not inflated), how deep forwards and zips
nest. A message the parser cannot make sense of raises MessageUnreadable.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

RETURN_SUFFIXES = (".xlsx", ".xlsm", ".csv")
#: what a clerk may attach by mistake for a return: refused with a reason, not ignored
SPREADSHEET_LIKE = (".xls", ".ods", ".numbers", ".pdf", ".doc", ".docx", ".rar", ".7z", ".txt")


class MessageUnreadable(ValueError):
    """The bytes are not a mail message that can be read (no sender, a broken structure)."""


@dataclass
class Found:
    name: str  # decoded, sanitised: safe as a file name
    data: bytes
    via: str  # "attachment", "zip Báo cáo.zip", "forwarded message 'Fwd: ...'"


@dataclass
class Refused:
    name: str
    reason: str  # in Vietnamese, for the reply


@dataclass
class Extracted:
    message_id: str | None
    from_address: str
    from_name: str
    subject: str
    date: datetime | None
    auto_submitted: bool  # an auto-reply, a bounce, a list: never answered (RFC 3834)
    references: str = ""  # the References to thread a reply under (with the Message-ID after them)
    files: list[Found] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def decoded(value) -> str:
    """A header or file name as text: RFC 2047 encoded words decoded (also those a mail program
    left in an RFC 2231 name), NFC (a name typed on a Mac decomposes its diacritics)."""
    text = str(value or "")
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (ValueError, LookupError):
            pass
    return unicodedata.normalize("NFC", text)


def safe_name(name: str) -> str:
    """The last part of a path, without control characters, separators or a leading dot; at most
    120 characters (its suffix kept)."""
    name = decoded(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]+", "_", name).strip(" .")
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 119 - len(suffix)] + dot + suffix) if dot and len(suffix) <= 6 else name[:120]
    return name or "tep-dinh-kem"


def _parse(raw: bytes) -> EmailMessage:
    try:
        return BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; what it still refuses is a problem message
        raise MessageUnreadable(f"the message cannot be parsed ({type(exc).__name__}: {exc})") from exc


def extract(raw: bytes, limits) -> Extracted:
    """The message's sender, subject, date and every return it holds (see the module docstring)."""
    msg = _parse(raw)
    try:
        senders = getaddresses([str(v) for v in msg.get_all("From", [])])
        subject = decoded(msg.get("Subject", ""))
        message_id = str(msg.get("Message-ID") or "").strip() or None
        try:
            date = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
        except (TypeError, ValueError):
            date = None
    except Exception as exc:
        raise MessageUnreadable(f"the message's headers cannot be read ({type(exc).__name__}: {exc})") from exc
    name, address = next(((n, a) for n, a in senders if "@" in a), ("", ""))
    if not address:
        raise MessageUnreadable("the message has no sender address (From)")
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower() not in ("", "no") or str(
        msg.get("Precedence", "")
    ).strip().lower() in ("bulk", "junk", "list")
    auto = (
        auto
        or address.lower().split("@")[0] in ("mailer-daemon", "postmaster")
        or msg.get_content_type() in ("multipart/report",)
    )
    refs = " ".join(str(msg.get("References") or "").split())
    out = Extracted(message_id, address.strip().lower(), decoded(name), subject, date, auto, references=refs)
    try:
        _walk(msg, out, limits, depth=0, via="attachment")
    except MessageUnreadable:
        raise
    except Exception as exc:
        raise MessageUnreadable(f"the message's parts cannot be read ({type(exc).__name__}: {exc})") from exc
    return out


def _add(out: Extracted, name: str, data: bytes, via: str, limits, depth: int) -> None:
    low = name.lower()
    if low.endswith(".zip"):
        _unzip(out, name, data, limits, depth + 1)
    elif low.endswith(RETURN_SUFFIXES):
        if len(data) > limits.max_file_bytes:
            out.refused.append(
                Refused(
                    name,
                    f"tệp lớn {len(data) / 1e6:.1f} MB, quá giới hạn {limits.max_file_bytes / 1e6:.0f} MB "
                    "cho một báo cáo; hãy gửi đúng biểu mẫu (không kèm hình ảnh, trang thừa)",
                )
            )
        elif len(out.files) >= limits.max_files_per_message:
            out.refused.append(
                Refused(name, f"thư có quá {limits.max_files_per_message} tệp; hãy gửi mỗi thư ít tệp hơn")
            )
        else:
            out.files.append(Found(name, data, via))
    elif low.endswith(SPREADSHEET_LIKE):
        out.refused.append(
            Refused(name, "không phải tệp .xlsx hoặc .csv; hãy điền biểu mẫu gửi kèm (Excel .xlsx) rồi gửi lại")
        )


def _walk(part: EmailMessage, out: Extracted, limits, depth: int, via: str) -> None:
    if depth > limits.max_nesting:
        out.refused.append(Refused(via, f"thư chuyển tiếp lồng nhau quá {limits.max_nesting} lớp"))
        return
    for sub in part.iter_parts() if part.is_multipart() else []:
        if sub.get_content_type() == "message/rfc822":
            inner = sub.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            if isinstance(inner, EmailMessage):
                _walk(inner, out, limits, depth + 1, f"thư chuyển tiếp '{decoded(inner.get('Subject', ''))}'")
            continue
        if sub.is_multipart():
            _walk(sub, out, limits, depth, via)
            continue
        filename = sub.get_filename()
        if not filename:
            continue
        data = sub.get_payload(decode=True) or b""
        _add(out, safe_name(filename), data, via, limits, depth)


def _zip_name(info: zipfile.ZipInfo) -> str:
    """A member's name: UTF-8 when the zip says so, else the cp437 that zipfile decoded is undone
    and tried as UTF-8 (Windows' own zip writes the local code page without saying so)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _unzip(out: Extracted, name: str, data: bytes, limits, depth: int) -> None:
    if depth > limits.max_nesting:
        out.refused.append(Refused(name, f"tệp nén lồng nhau quá {limits.max_nesting} lớp"))
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        out.refused.append(Refused(name, "tệp nén .zip bị hỏng, không mở được; hãy nén lại hoặc gửi từng tệp"))
        return
    total = sum(i.file_size for i in members)
    bomb = any(i.compress_size and i.file_size / i.compress_size > limits.max_zip_ratio for i in members)
    if len(members) > limits.max_zip_members or total > limits.max_unzipped_bytes or bomb:
        out.refused.append(
            Refused(
                name,
                "tệp nén .zip quá lớn khi giải nén (hoặc quá nhiều tệp) nên không được mở; "
                "hãy gửi trực tiếp các tệp báo cáo",
            )
        )
        return
    for info in members:
        member = safe_name(_zip_name(info))
        if member.startswith(("__MACOSX", "._")) or "/__MACOSX/" in info.filename:
            continue
        if info.flag_bits & 0x1:
            out.refused.append(Refused(member, f"tệp trong {name} được đặt mật khẩu; hãy gửi tệp không mật khẩu"))
            continue
        with archive.open(info) as fh:
            content = fh.read(limits.max_file_bytes + 1)
        _add(out, member, content, f"tệp nén {name}", limits, depth)
