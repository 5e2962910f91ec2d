"""Property-based tests (hypothesis) of what reads exports: the name key (text.norm_key), header
resolution (contract.canonical_header), CSV and JSON Lines reading (extract), the SQL parsers of
numbers and times, and the resolution of operators, network types and districts through
ispeed.norm_key and dim_alias in the warehouse."""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ispeed import geography, paths
from ispeed.measurements.contract import _UNIT_SUFFIXES, MEASUREMENT_COLUMNS, canonical_header, header_index, wrong_unit
from ispeed.measurements.load import CANONICAL
from ispeed.measurements.readers import DELIMITERS, open_export
from ispeed.measurements.readers.encodings import legacy_vietnamese
from ispeed.text import exact_key, norm_key

# filter_too_much: random cells often hold a Latin-1 letter that the check for TCVN3 or VNI glyphs
# sees, and the round trips assume a file without them; on some seeds Hypothesis then filters more
# inputs than its health check likes (CI failed once on it).
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
INDEX = header_index()
REQUIRED = {c.name for c in MEASUREMENT_COLUMNS if c.required}
ALIASES = [(name, c.name) for c in MEASUREMENT_COLUMNS for name in (c.name, *c.aliases)]
VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ0123456789"
)
PUNCTUATION = " -_.,;:/()[]'\"!?&+*#\t"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@st.composite
def spelling_of(draw, name: str, punctuation: str = PUNCTUATION) -> str:
    """The same name as people type it: any case, with or without diacritics, composed or
    decomposed, with spaces and punctuation anywhere."""
    text = draw(st.sampled_from([name, strip_diacritics(name)]))
    text = "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in text)
    out = []
    for ch in text:
        out.append(ch)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.text(alphabet=punctuation, min_size=1, max_size=2)))
    text = draw(st.text(alphabet=" \t", max_size=2)) + "".join(out) + draw(st.text(alphabet=" \t", max_size=2))
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)


# --- text.norm_key -----------------------------------------------------------------------------


@SETTINGS
@given(st.text())
def test_norm_key_is_idempotent_and_yields_only_ascii_letters_and_digits(text):
    key = norm_key(text)
    assert norm_key(key) == key
    assert all(ch in "abcdefghijklmnopqrstuvwxyz0123456789" for ch in key)


@SETTINGS
@given(st.text())
def test_norm_key_of_composed_and_decomposed_unicode_is_the_same(text):
    assert (
        norm_key(unicodedata.normalize("NFC", text)) == norm_key(unicodedata.normalize("NFD", text)) == norm_key(text)
    )


@SETTINGS
@given(st.text(alphabet=VIETNAMESE + PUNCTUATION, max_size=40))
def test_norm_key_ignores_case_diacritics_and_punctuation(text):
    key = norm_key(text)
    assert norm_key(text.upper()) == norm_key(text.lower()) == key
    assert norm_key(strip_diacritics(text)) == key
    assert norm_key("".join(ch for ch in text if ch not in PUNCTUATION)) == key


@SETTINGS
@given(st.data())
def test_norm_key_ignores_how_a_name_is_typed(data):
    name = data.draw(
        st.sampled_from([a for a, _ in ALIASES] + ["Tổng công ty Viettel", "Huyện Thuỷ Nguyên", "Hồng Bàng"])
    )
    assert norm_key(data.draw(spelling_of(name))) == norm_key(name)


# --- contract.canonical_header -----------------------------------------------------------------

UNITS = [" (Mbps)", "_mbps", " [Mbps]", "(Mbit/s)", " Mbps", " (ms)", "_ms", " [ms]", " (milliseconds)", " msec"]


@SETTINGS
@given(st.data())
def test_any_spelling_of_an_alias_resolves_to_its_column(data):
    alias, column = data.draw(st.sampled_from(ALIASES))
    header = data.draw(spelling_of(alias))
    if data.draw(st.booleans()):
        header += data.draw(st.sampled_from(UNITS))
    assert canonical_header(header, INDEX) == column


@SETTINGS
@given(st.data())
def test_a_speed_or_time_in_another_unit_is_named_not_resolved(data):
    alias, column = data.draw(
        st.sampled_from(
            [(a, c) for a, c in ALIASES if c in ("download_mbps", "upload_mbps", "latency_ms", "jitter_ms")]
        )
    )
    speed = column.endswith("_mbps")
    unit = data.draw(
        st.sampled_from([" (kbps)", "_kbps", " [kbit/s]", " (Gbps)"] if speed else [" (sec)", " (seconds)", "_secs"])
    )
    header = data.draw(spelling_of(alias)) + unit
    assume(norm_key(header) not in INDEX)
    assert canonical_header(header, INDEX) is None
    assert wrong_unit(header, INDEX)[0] == column


@SETTINGS
@given(st.text(max_size=30))
@example("Tốc độ tải xuống (Mbps)")
@example("download speed (kbps)")
@example("ID")
def test_junk_resolves_to_a_column_only_when_it_normalises_to_one_of_its_names(header):
    column = canonical_header(header, INDEX)
    key = norm_key(header)
    names = {norm_key(a) for a, c in ALIASES if c == column}
    if column is None:
        assert key not in INDEX
        return
    assert key in names or any(key == n + s for n in names for s in _UNIT_SUFFIXES)


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12))
def test_random_words_are_not_required_columns(header):
    key = norm_key(header)
    near = {norm_key(a) for a, c in ALIASES if c in REQUIRED}
    assume(key not in near and not any(key == n + s for n in near for s in _UNIT_SUFFIXES))
    assert canonical_header(header, INDEX) not in REQUIRED


# --- extract: CSV and JSON Lines round trips -------------------------------------------------------

SPECIAL = ['"', ",", ";", "\t", "|", "\n", "\r", "\r\n", " ", '""', "a", "Ư", "1", "{", "\ufeff", "\u2028", "\x85"]
CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10),
    st.lists(st.sampled_from(SPECIAL), max_size=6).map("".join),
)
WIDTH = len(CANONICAL)


def expected_cell(value: str) -> str | None:
    return value if value.strip() else None


@SETTINGS
@given(
    delimiter=st.sampled_from(DELIMITERS),
    newline=st.sampled_from(["\r\n", "\n"]),
    bom=st.booleans(),
    header=st.permutations(CANONICAL),
    rows=st.lists(
        st.one_of(st.lists(CELL, min_size=WIDTH, max_size=WIDTH), st.lists(CELL, min_size=1, max_size=WIDTH + 2)),
        min_size=1,  # no rows at all: a header alone, refused (tested in the corpus)
        max_size=8,
    ),
)
def test_a_csv_written_by_csv_writer_reads_back_cell_for_cell_and_line_for_line(delimiter, newline, bom, header, rows):
    if newline == "\n":  # csv.writer quotes a bare CR only when it is part of its line terminator
        rows = [[c.replace("\r", "") for c in r] for r in rows]
    assume(not any([c.strip() for c in r] == header for r in rows))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    expected, line = [], 2
    for r in rows:
        start = out.tell()
        writer.writerow(r)
        if any(c.strip() for c in r):  # a row of empty cells is a blank line, not a row
            expected.append((line, r))
        line += out.getvalue()[start:].count("\n")
    assume(expected)  # a header alone is refused (tested in the corpus)
    # cells such as 'Aµ' and 'A¨' twice are TCVN3 or VNI glyphs re-saved as UTF-8: refused (the corpus)
    assume(legacy_vietnamese(out.getvalue()) is None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
        fmt, hmap, got = open_export(path, CANONICAL)
        got = list(got)
    assert fmt.delimiter == delimiter
    assert [g[0] for g in got] == [line for line, _ in expected]
    for g, (line, r) in zip(got, expected):
        cells = dict(zip(header, r + [""] * (WIDTH - len(r))))
        assert g[1:-1] == [expected_cell(cells[c]) for c in CANONICAL], f"line {line}"
        if len(r) == WIDTH:
            assert g[-1] is None
        else:
            assert g[-1].startswith(f"expected {WIDTH} fields, found {len(r)}")


JSON_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
)


def expected_json(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    text = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text).replace("\x00", "\ufffd")
    return text if text.strip() else None


@settings(SETTINGS, max_examples=100)
@given(
    st.lists(
        st.fixed_dictionaries(
            dict.fromkeys(sorted(REQUIRED), JSON_VALUE),
            optional={c: JSON_VALUE for c in CANONICAL if c not in REQUIRED},
        ),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_json_lines_read_back_value_for_value(objects, ascii_only):
    text = "".join(json.dumps(o, ensure_ascii=ascii_only) + "\n" for o in objects)
    assume(legacy_vietnamese(text) is None)  # TCVN3 or VNI glyphs re-saved as UTF-8: refused (the corpus)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _, hmap, got = open_export(path, CANONICAL)
        got = list(got)
    assert [g[0] for g in got] == list(range(1, len(objects) + 1))
    for g, o in zip(got, objects):
        assert g[-1] is None
        assert g[1:-1] == [expected_json(o.get(c)) for c in CANONICAL]


# --- the SQL parsers (ispeed.parse_number, ispeed.parse_timestamp) --------------------------------


def test_parse_number_reads_decimal_points_commas_and_spaces(db):
    cur = db.cursor()

    @settings(max_examples=150, deadline=None)
    @given(
        st.floats(min_value=0, max_value=1e7, allow_nan=False),
        st.sampled_from([".", ","]),
        st.booleans(),
        st.sampled_from(["", "-", "+"]),
    )
    def reads(value, point, group, sign):
        text = f"{value:.4f}"
        whole, frac = text.split(".")
        if group:  # thousands separated by spaces: '1 234,5'
            whole = f"{int(whole):,}".replace(",", " ")
        cur.execute("select ispeed.parse_number(%s)", (f" {sign}{whole}{point}{frac} ",))
        assert math.isclose(cur.fetchone()[0], (-1 if sign == "-" else 1) * float(text), rel_tol=1e-12, abs_tol=1e-9)

    reads()


def test_parse_number_is_null_for_what_is_not_a_finite_number(db):
    cur = db.cursor()

    @settings(max_examples=150, deadline=None)
    @given(
        st.one_of(
            st.sampled_from(
                ["NaN", "nan", "Infinity", "-Infinity", "inf", "1.2.3", "1,2,3", "1.234,5", "0x10", "--1", "e5"]
            ),
            st.text(alphabet="abcxyz%$ /", min_size=1, max_size=8),
        )
    )
    def null(text):
        cur.execute("select ispeed.parse_number(%s)", (text,))
        assert cur.fetchone()[0] is None

    null()


def test_parse_number_never_raises(db):
    cur = db.cursor()

    @settings(max_examples=100, deadline=None)
    @given(st.text(alphabet="0123456789.,+-eE \t", max_size=12))
    @example("1e309")
    @example("-1e400")
    @example("9" * 400)
    def total(text):
        cur.execute("select ispeed.parse_number(%s)", (text,))

    total()


def test_parse_timestamp_reads_iso_8601_and_takes_a_naive_time_as_viet_nam_time(db):
    cur = db.cursor()

    @settings(max_examples=150, deadline=None)
    @given(
        st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2090, 12, 31)),
        st.one_of(st.none(), st.integers(-12 * 4, 14 * 4).map(lambda q: timedelta(minutes=15 * q))),
        st.sampled_from(["T", " "]),
        st.sampled_from(["seconds", "minutes", "microseconds"]),
        st.sampled_from(["+07:00", "+0700", "+07"]),
        st.booleans(),
    )
    def reads(naive, offset, sep, spec, style, zulu):
        naive = naive.replace(microsecond=0) if spec != "microseconds" else naive
        naive = naive.replace(second=0) if spec == "minutes" else naive
        text = naive.isoformat(sep=sep, timespec=spec)
        if offset is None:
            want = naive.replace(tzinfo=VN)
        elif offset == timedelta(0) and zulu:
            text += "Z"
            want = naive.replace(tzinfo=UTC)
        else:
            sign = "-" if offset < timedelta(0) else "+"
            hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
            text += {
                "+07:00": f"{sign}{hours:02d}:{minutes:02d}",
                "+0700": f"{sign}{hours:02d}{minutes:02d}",
                "+07": f"{sign}{hours:02d}" if not minutes else f"{sign}{hours:02d}:{minutes:02d}",
            }[style]
            want = naive.replace(tzinfo=timezone(offset))
        cur.execute("select ispeed.parse_timestamp(%s)", (text,))
        assert cur.fetchone()[0] == want, text

    reads()


def test_parse_timestamp_never_raises_and_reads_only_iso_8601(db):
    cur = db.cursor()

    @settings(max_examples=150, deadline=None)
    @given(
        st.one_of(
            st.text(alphabet="0123456789-:/T Z+.", max_size=25),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
        )
    )
    @example("05/10/2024 10:00")
    @example("2024-02-30 10:00")
    @example("yesterday")
    def total(text):
        cur.execute("select ispeed.parse_timestamp(%s)", (text,))
        value = cur.fetchone()[0]
        if value is not None:
            assert text.strip()[:4].isdigit() and text.strip()[4] == "-", text

    total()


def test_the_fast_paths_of_v007_give_what_v006_gave(db):
    """V007 (and V013, for numbers) put a fast path in front of V006's parsers; V006's own
    definitions, loaded here as temporary functions, must give the same value (or NULL) for every
    text, but for the zones that V010 reads with ispeed.parse_timestamp_named_zone."""
    v006 = (paths.SQL_DIR / "migrations" / "V006__inlined_value_parsers.sql").read_text(encoding="utf-8")
    cur = db.cursor()
    cur.execute(
        v006.replace("ispeed.parse_number(", "pg_temp.parse_number_v006(").replace(
            "ispeed.parse_timestamp(", "pg_temp.parse_timestamp_v006("
        )
    )

    @settings(max_examples=300, deadline=None)
    @given(
        st.one_of(
            st.text(alphabet="0123456789-:T Zz+.,e", max_size=26),
            st.datetimes(min_value=datetime(1, 1, 1)).map(lambda d: d.isoformat()),
            st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="seconds") + "+07:00"),
            st.floats(allow_nan=True).map(str),
            st.text(max_size=25),
        )
    )
    @example("2024-10-03T10:00:00+99:00")
    @example("2024-02-30 10:00:00")
    @example("2024-10-03T24:00:00Z")
    @example(" 2024-10-03T10:00:00")
    @example("١٢٣٤-10-03T10:00:00+07:00")
    @example("5.")
    @example(".")
    @example("2024-10-03 10:00:00 UTC")
    def same(text):
        text = text.replace("\x00", "")
        cur.execute(
            "select ispeed.parse_number(%(t)s) is not distinct from pg_temp.parse_number_v006(%(t)s),"
            " ispeed.parse_timestamp(%(t)s) is not distinct from pg_temp.parse_timestamp_v006(%(t)s)"
            " or ispeed.parse_timestamp(%(t)s) is not distinct from ispeed.parse_timestamp_named_zone(%(t)s)",
            {"t": text},
        )
        # V010 reads zones named with letters or a one-digit offset anew (test_readers_values.py);
        # every other text as V006 did
        assert cur.fetchone() == (True, True), text

    same()


# --- names in the warehouse: ispeed.norm_key against dim_alias ---------------------------------------


def reference_names() -> list[tuple[str, str, str, str]]:
    """(kind, name, code, a day it names the code) of every alias in aliases.csv, every operator's
    code and names, every network type's, and every unit of the configured province (Hải Phòng)
    by code, name and prefixed name, on the first day of the unit."""
    names = []
    ref = paths.REFERENCE_DIR
    day = "2024-10-01"
    with (ref / "aliases.csv").open(encoding="utf-8-sig", newline="") as fh:
        names += [(r["kind"], r["alias"], r["code"], day) for r in csv.DictReader(fh)]
    with (ref / "operators.csv").open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            names += [
                ("operator", n, r["operator_code"], day) for n in (r["operator_code"], r["name_vi"], r["name_en"])
            ]
    with (ref / "network_types.csv").open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            names += [("network_type", n, r["network_type_code"], day) for n in (r["network_type_code"], r["name"])]
    for a in geography.areas():
        names += [("area", n, a.code, a.valid_from.isoformat()) for n in (a.code, a.name_vi, a.full_name)]
    return names


LOOKUP = (
    "select distinct code from ispeed.dim_alias where kind = %s"
    " and alias_key in (ispeed.norm_key(%s), ispeed.exact_key(%s))"
    " and valid_from <= %s::date and (valid_to is null or valid_to >= %s::date)"
)


def test_every_reference_name_however_typed_resolves_to_its_code_in_the_warehouse(db):
    names = reference_names()
    assert {k for k, *_ in names} == {"operator", "network_type", "area", "province"} and len(names) > 400
    cur = db.cursor()
    # a spelling two units share on a day: the bare name of a Phường X and a Xã X names neither (their
    # prefixed names remain); names told apart only by diacritics resolve as written, not retyped
    by_key: dict[tuple[str, str], set[str]] = {}
    for kind, name, code, day in names:
        if kind == "area":
            by_key.setdefault((norm_key(name), day), set()).add(code)
    shared = {k for k, codes in by_key.items() if len(codes) > 1}
    exact_only = {(n, d) for k, n, c, d in names if k == "area" and (norm_key(n), d) in shared}
    names = [x for x in names if (x[1], x[3]) not in exact_only or exact_key(x[1]) != "=" + norm_key(x[1])]

    @settings(max_examples=200, deadline=None)
    @given(st.data())
    def resolves(data):
        kind, name, code, day = data.draw(st.sampled_from(names))
        typed = name if (name, day) in exact_only else data.draw(spelling_of(name))
        cur.execute(LOOKUP, (kind, typed, typed, day, day))
        assert cur.fetchall() == [(code,)], f"{typed!r} ({name!r})"

    resolves()
    for kind, name, code, day in names:  # and each as written
        cur.execute(LOOKUP, (kind, name, name, day, day))
        assert cur.fetchall() == [(code,)], (name, day)
