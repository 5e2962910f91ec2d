"""The two kinds of monthly return and their columns: one place for the headings, the types and
the accepted spellings.

The template generator (template.py), the reader (read.py), the expectation suites (suites.py),
the warehouse tables (include/sql/migrations/V002__monthly_returns.sql) and docs/returns.md all
follow this list. Headings match however they are typed (case, diacritics, spaces and punctuation
are ignored, text.norm_key), Vietnamese or English, and a unit or a column number in brackets
("Vốn đầu tư trong tháng (đồng)", "(4) Tổng số CBCCVC") may be added or left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ispeed.text import norm_key

#: Column types: what a cell must hold.
CODE = "code"  # a name or code resolved through reference data (agency, operator, district, 4G/5G)
TEXT = "text"  # free text
MONTH = "month"  # the reporting month (MM/YYYY, YYYY-MM, a date in the month, ...)
COUNT = "count"  # a non-negative whole number
MONEY = "money"  # a non-negative whole number of đồng (VND)
DATE = "date"  # a calendar day (DD/MM/YYYY, YYYY-MM-DD, an Excel date)


@dataclass(frozen=True)
class ReturnColumn:
    """One column of a return."""

    name: str  # canonical name: the DataFrame column, the warehouse column
    heading_vi: str  # the heading of the template, and the name used in messages
    heading_en: str  # the English heading, also accepted
    type: str  # CODE / TEXT / MONTH / COUNT / MONEY / DATE
    required: bool  # the header must have it (as a column, or as a field above the table)
    help_vi: str
    help_en: str
    aliases: tuple[str, ...] = ()
    #: an empty cell reads as 0 (counts that many agencies have none of); else an empty cell is an error
    empty_is_zero: bool = False
    #: pre-filled in the template (district, 4G/5G): a row with only these filled is not a return row
    prefilled: bool = False
    #: may be given once above the table ("Nhà mạng: Viettel") instead of as a column
    above_table: bool = False
    width: int = 16

    @property
    def is_number(self) -> bool:
        return self.type in (COUNT, MONEY)


@dataclass(frozen=True)
class ReturnKind:
    """A kind of return: what it is called, its columns and where it lands."""

    dataset: str  # meta_load.dataset, meta_file.dataset, fact_quarantine.dataset, landing folder
    subject: str  # agency / operator: who sends it
    subject_column: str  # the canonical column that names the sender
    subject_vi: str  # "cơ quan" / "nhà mạng", for messages
    title_vi: str
    title_en: str
    template_name: str  # file name in include/templates/
    columns: tuple[ReturnColumn, ...]
    #: groups of which the header must have at least one (agency code or agency name)
    one_of: tuple[tuple[str, ...], ...] = ()
    header_row: int = 6  # where the template puts the headings (data start below)
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def column(self, name: str) -> ReturnColumn:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def header_index(self) -> dict[str, str]:
        """norm_key of every accepted heading -> canonical column name."""
        if not self._index:
            for col in self.columns:
                for spelling in (col.name, col.heading_vi, col.heading_en, *col.aliases):
                    for key in {norm_key(spelling), norm_key(_BRACKETS.sub(" ", spelling))}:
                        if not key:
                            continue
                        if self._index.get(key, col.name) != col.name:
                            raise ValueError(
                                f"{self.dataset}: heading {spelling!r} is claimed by {self._index[key]} and {col.name}"
                            )
                        self._index[key] = col.name
        return self._index

    def match_heading(self, text: str) -> str | None:
        """The canonical column a heading names, or None. Brackets ("(đồng)", "(4)") and a
        trailing colon are ignored when the heading does not match with them."""
        index = self.header_index()
        for candidate in (text, _BRACKETS.sub(" ", text)):
            key = norm_key(candidate)
            if key in index:
                return index[key]
        return None


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


AGENCY_RETURN = ReturnKind(
    dataset="agency_returns",
    subject="agency",
    subject_column="agency_code",
    subject_vi="cơ quan",
    title_vi="BÁO CÁO KẾT QUẢ TRIỂN KHAI ỨNG DỤNG i-SPEED",
    title_en="Monthly return of an agency: staff and citizens using i-Speed",
    template_name="agency_return_template.xlsx",
    one_of=(("agency_code", "agency_name"),),
    columns=(
        ReturnColumn(
            "agency_code",
            "Mã cơ quan",
            "Agency code",
            CODE,
            False,
            "Mã cơ quan theo trang 'Danh mục' (ví dụ STTTT). Ghi mã hoặc tên cơ quan, hoặc cả hai.",
            "The agency's code from the 'Danh mục' sheet (e.g. STTTT); give the code or the name or both.",
            ("Mã đơn vị", "Mã cơ quan, đơn vị", "agency_code", "code", "agency id"),
            width=14,
        ),
        ReturnColumn(
            "agency_name",
            "Tên cơ quan",
            "Agency name",
            CODE,
            False,
            "Tên cơ quan, đơn vị (ví dụ Sở Y tế).",
            "The agency's name (e.g. Sở Y tế).",
            ("Tên đơn vị", "Tên cơ quan, đơn vị", "Cơ quan", "Đơn vị", "Cơ quan, đơn vị", "agency", "name"),
            width=36,
        ),
        ReturnColumn(
            "month",
            "Tháng báo cáo",
            "Reporting month",
            MONTH,
            True,
            "Tháng của số liệu, dạng MM/YYYY (ví dụ 10/2024).",
            "The month the figures are for, MM/YYYY (e.g. 10/2024).",
            ("Kỳ báo cáo", "Tháng", "month", "period"),
            above_table=True,
            width=12,
        ),
        ReturnColumn(
            "staff_total",
            "Tổng số CBCCVC",
            "Staff total",
            COUNT,
            True,
            "Tổng số cán bộ, công chức, viên chức của cơ quan.",
            "All staff (cán bộ, công chức, viên chức) of the agency.",
            (
                "Tổng số cán bộ, công chức, viên chức",
                "Tổng số CB, CC, VC",
                "Tổng số CBCC, VC",
                "Số CBCCVC",
                "staff",
                "total staff",
                "staff_total",
            ),
        ),
        ReturnColumn(
            "staff_installed",
            "Số CBCCVC đã cài đặt i-Speed",
            "Staff who installed i-Speed",
            COUNT,
            True,
            "Số CBCCVC đã cài đặt ứng dụng i-Speed; không lớn hơn Tổng số CBCCVC.",
            "Staff who installed i-Speed; at most the staff total.",
            (
                "Số CBCCVC đã cài đặt",
                "Số CBCCVC đã cài i-Speed",
                "Đã cài đặt",
                "Số người đã cài đặt",
                "Số CBCCVC cài đặt i-Speed",
                "installed",
                "staff installed",
                "staff_installed",
            ),
        ),
        ReturnColumn(
            "staff_measured",
            "Số CBCCVC đã đo ít nhất 1 lần",
            "Staff who ran at least one measurement",
            COUNT,
            True,
            "Số CBCCVC đã đo tốc độ bằng i-Speed ít nhất một lần; không lớn hơn số đã cài đặt.",
            "Staff who ran at least one i-Speed measurement; at most the staff who installed it.",
            (
                "Số CBCCVC đã đo",
                "Số CBCCVC đã thực hiện đo",
                "Đã đo",
                "Số người đã đo",
                "measured",
                "staff measured",
                "staff_measured",
            ),
        ),
        ReturnColumn(
            "staff_measurements",
            "Số lần đo của CBCCVC",
            "Measurements run by staff",
            COUNT,
            True,
            "Tổng số lần đo do CBCCVC thực hiện trong tháng; không nhỏ hơn số CBCCVC đã đo.",
            "Measurements run by staff in the month; at least the staff who measured.",
            ("Số lần đo", "Tổng số lần đo", "Số lượt đo", "measurements", "tests", "staff_measurements"),
        ),
        ReturnColumn(
            "citizens_helped",
            "Số người dân được hỗ trợ cài đặt",
            "Citizens helped to install",
            COUNT,
            True,
            "Số người dân được cơ quan hướng dẫn, hỗ trợ cài đặt i-Speed; để trống hoặc 0 nếu không có.",
            "Citizens the agency helped to install i-Speed; empty or 0 when none.",
            (
                "Số người dân được hỗ trợ",
                "Người dân được hỗ trợ cài đặt",
                "Số người dân được hướng dẫn cài đặt",
                "citizens helped",
                "citizens",
                "citizens_helped",
            ),
            empty_is_zero=True,
        ),
        ReturnColumn(
            "cdt_members",
            "Số thành viên Tổ công nghệ số cộng đồng tham gia",
            "Active community digital technology team members",
            COUNT,
            True,
            "Số thành viên Tổ công nghệ số cộng đồng tham gia hỗ trợ trong tháng; để trống hoặc 0 nếu không có.",
            "Members of community digital technology teams active in the month; empty or 0 when none.",
            (
                "Số thành viên Tổ CNSCĐ",
                "Số thành viên Tổ CNS cộng đồng",
                "Thành viên Tổ công nghệ số cộng đồng",
                "Số thành viên tổ công nghệ số cộng đồng",
                "Tổ công nghệ số cộng đồng",
                "community digital technology team members",
                "cdt members",
                "cdt_members",
            ),
            empty_is_zero=True,
        ),
        ReturnColumn(
            "note",
            "Ghi chú",
            "Note",
            TEXT,
            False,
            "Ghi chú (không bắt buộc).",
            "A note (optional).",
            ("Ghi chú, kiến nghị", "Ý kiến", "notes", "remarks", "comment"),
            width=30,
        ),
    ),
)

OPERATOR_RETURN = ReturnKind(
    dataset="operator_returns",
    subject="operator",
    subject_column="operator_code",
    subject_vi="nhà mạng",
    title_vi="BÁO CÁO HẠ TẦNG VÀ ĐẦU TƯ MẠNG DI ĐỘNG 4G/5G",
    title_en="Monthly return of a mobile operator: 4G/5G sites and investment per district",
    template_name="operator_return_template.xlsx",
    columns=(
        ReturnColumn(
            "operator",
            "Nhà mạng",
            "Operator",
            CODE,
            True,
            "Tên nhà mạng (Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile); ghi một lần ở ô phía trên bảng hoặc ở từng dòng.",
            "The operator (Viettel, VinaPhone, ...); once above the table or on every row.",
            (
                "Doanh nghiệp",
                "Doanh nghiệp viễn thông",
                "Tên doanh nghiệp",
                "Mã doanh nghiệp",
                "Nhà mạng di động",
                "operator code",
                "carrier",
                "operator_code",
            ),
            above_table=True,
            width=16,
        ),
        ReturnColumn(
            "month",
            "Tháng báo cáo",
            "Reporting month",
            MONTH,
            True,
            "Tháng của số liệu, dạng MM/YYYY (ví dụ 10/2024); ghi một lần ở ô phía trên bảng hoặc ở từng dòng.",
            "The month the figures are for, MM/YYYY; once above the table or on every row.",
            ("Kỳ báo cáo", "Tháng", "month", "period"),
            above_table=True,
            width=12,
        ),
        ReturnColumn(
            "district",
            "Quận/huyện",
            "District",
            CODE,
            True,
            "Quận, huyện của thành phố Hải Phòng (tên hoặc mã 303..318).",
            "A district of Hai Phong, by name or code (303..318).",
            (
                "Quận, huyện",
                "Quận huyện",
                "Địa bàn",
                "Mã quận/huyện",
                "Địa bàn quận/huyện",
                "district",
                "district code",
                "area",
                "area code",
                "area_code",
            ),
            prefilled=True,
            width=22,
        ),
        ReturnColumn(
            "generation",
            "Công nghệ (4G/5G)",
            "Network (4G/5G)",
            CODE,
            False,
            "4G hoặc 5G. Nếu bảng không có cột này, mọi dòng được hiểu là 4G.",
            "4G or 5G. Without this column every row is 4G.",
            (
                "Công nghệ",
                "Loại mạng",
                "Công nghệ mạng",
                "Thế hệ mạng",
                "4G/5G",
                "network generation",
                "generation",
                "technology",
                "network",
            ),
            prefilled=True,
            width=12,
        ),
        ReturnColumn(
            "sites_in_service",
            "Số trạm đang phát sóng cuối tháng",
            "Sites in service at month end",
            COUNT,
            True,
            "Số trạm (vị trí trạm) đang phát sóng công nghệ này trên địa bàn vào ngày cuối tháng.",
            "Base-station sites on air with this technology in the district on the month's last day.",
            (
                "Số trạm đang phát sóng",
                "Số trạm BTS đang phát sóng",
                "Số trạm đang hoạt động",
                "Số trạm phát sóng",
                "sites in service",
                "sites",
                "sites_in_service",
            ),
        ),
        ReturnColumn(
            "sites_commissioned",
            "Số trạm phát sóng mới trong tháng",
            "Sites newly commissioned in the month",
            COUNT,
            True,
            "Số trạm mới đưa vào phát sóng trong tháng; không lớn hơn số trạm đang phát sóng. Để trống nếu không có.",
            "Sites put on air in the month; at most the sites in service. Empty when none.",
            (
                "Số trạm lắp mới",
                "Số trạm phát sóng mới",
                "Số trạm mới",
                "Trạm mới",
                "sites commissioned",
                "new sites",
                "sites_commissioned",
            ),
            empty_is_zero=True,
        ),
        ReturnColumn(
            "sites_upgraded",
            "Số trạm được nâng cấp trong tháng",
            "Sites upgraded in the month",
            COUNT,
            True,
            "Số trạm được nâng cấp (thêm sóng mang, thêm băng tần...) trong tháng; không lớn hơn số trạm đang phát sóng. Để trống nếu không có.",
            "Sites upgraded in the month (carriers, bands, ...); at most the sites in service. Empty when none.",
            (
                "Số trạm nâng cấp",
                "Số trạm được nâng cấp",
                "Trạm nâng cấp",
                "sites upgraded",
                "upgraded sites",
                "sites_upgraded",
            ),
            empty_is_zero=True,
        ),
        ReturnColumn(
            "investment_vnd",
            "Vốn đầu tư trong tháng (đồng)",
            "Investment in the month (VND)",
            MONEY,
            True,
            "Giá trị đầu tư thực hiện trong tháng cho mạng trên địa bàn, bằng đồng (ví dụ 1.250.000.000). Để trống nếu không có.",
            "Investment made in the month in the district's network, in đồng (VND). Empty when none.",
            (
                "Vốn đầu tư trong tháng",
                "Vốn đầu tư",
                "Kinh phí đầu tư",
                "Giá trị đầu tư",
                "Giá trị đầu tư trong tháng",
                "investment",
                "investment vnd",
                "investment_vnd",
            ),
            empty_is_zero=True,
            width=20,
        ),
        ReturnColumn(
            "remedy",
            "Giải pháp khắc phục (địa bàn dưới 40 Mbps)",
            "Remedy planned (districts below 40 Mbps)",
            TEXT,
            False,
            "Với địa bàn có tốc độ tải xuống trung bình dưới 40 Mbps: giải pháp dự kiến.",
            "For a district whose mean download speed is below 40 Mbps: the remedy planned.",
            (
                "Giải pháp khắc phục",
                "Giải pháp",
                "Biện pháp khắc phục",
                "Giải pháp nâng cao chất lượng",
                "remedy",
                "remedy planned",
            ),
            width=40,
        ),
        ReturnColumn(
            "remedy_due_date",
            "Thời hạn hoàn thành",
            "Remedy due date",
            DATE,
            False,
            "Ngày dự kiến hoàn thành giải pháp, dạng DD/MM/YYYY; bắt buộc khi có giải pháp.",
            "When the remedy is due, DD/MM/YYYY; required when a remedy is given.",
            (
                "Thời hạn",
                "Thời gian hoàn thành",
                "Ngày hoàn thành",
                "Hạn hoàn thành",
                "remedy due date",
                "due date",
                "deadline",
                "remedy_due_date",
            ),
            width=14,
        ),
        ReturnColumn(
            "note",
            "Ghi chú",
            "Note",
            TEXT,
            False,
            "Ghi chú (không bắt buộc).",
            "A note (optional).",
            ("Ý kiến", "notes", "remarks", "comment"),
            width=24,
        ),
    ),
)

KINDS = {k.dataset: k for k in (AGENCY_RETURN, OPERATOR_RETURN)}
