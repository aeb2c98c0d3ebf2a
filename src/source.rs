//! Turning a source file's bytes into text as CPython does: a UTF-8 BOM means UTF-8; else a
//! PEP 263 coding cookie on the first line (or on the second, when the first is blank or a
//! comment) names the encoding, by any of the names CPython's codec registry accepts for the
//! codecs a Python file realistically uses (decoded by `encoding_rs`); else UTF-8. Invalid
//! bytes are replaced (and where the first one was is reported) rather than giving up on
//! the file.

use crate::model::{Language, ReadProblem};
use encoding_rs::Encoding;

/// The decoded text of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text, without a BOM.
    pub text: String,
    /// Whether the file started with a UTF-8 BOM (kept by fixes).
    pub had_bom: bool,
    /// The codec the file declares, by CPython's name (`shift_jis`, `cp1252`), when it is not
    /// UTF-8: such files are never rewritten by fixes.
    pub encoding: Option<&'static str>,
    /// Set when bytes had to be replaced.
    pub problem: Option<ReadProblem>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The codecs decoded: CPython's codec, as `encoding_rs` decodes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Codec {
    Utf8,
    /// Bytes 0x00-0x7F only.
    Ascii,
    /// Every byte is the code point of its value.
    Latin1,
    /// ISO 8859-9: Windows-1254 except that 0x80-0x9F are C1 controls.
    Latin5,
    /// TIS-620 / ISO 8859-11: Windows-874 except that 0x80-0x9F are C1 controls.
    Tis620,
    Big5,
    EucJp,
    EucKr,
    Gb18030,
    Gbk,
    Ibm866,
    Iso2022Jp,
    Iso88592,
    Iso88593,
    Iso88594,
    Iso88595,
    Iso88596,
    Iso88597,
    Iso88598,
    Iso885910,
    Iso885913,
    Iso885914,
    Iso885915,
    Iso885916,
    Koi8R,
    Koi8U,
    Macintosh,
    ShiftJis,
    Windows874,
    Windows1250,
    Windows1251,
    Windows1252,
    Windows1253,
    Windows1254,
    Windows1255,
    Windows1256,
    Windows1257,
    Windows1258,
    XMacCyrillic,
}

impl Codec {
    fn encoding(self) -> &'static Encoding {
        match self {
            Codec::Utf8 | Codec::Ascii => encoding_rs::UTF_8,
            Codec::Latin1 | Codec::Windows1252 => encoding_rs::WINDOWS_1252,
            Codec::Latin5 | Codec::Windows1254 => encoding_rs::WINDOWS_1254,
            Codec::Tis620 | Codec::Windows874 => encoding_rs::WINDOWS_874,
            Codec::Big5 => encoding_rs::BIG5,
            Codec::EucJp => encoding_rs::EUC_JP,
            Codec::EucKr => encoding_rs::EUC_KR,
            Codec::Gb18030 => encoding_rs::GB18030,
            Codec::Gbk => encoding_rs::GBK,
            Codec::Ibm866 => encoding_rs::IBM866,
            Codec::Iso2022Jp => encoding_rs::ISO_2022_JP,
            Codec::Iso88592 => encoding_rs::ISO_8859_2,
            Codec::Iso88593 => encoding_rs::ISO_8859_3,
            Codec::Iso88594 => encoding_rs::ISO_8859_4,
            Codec::Iso88595 => encoding_rs::ISO_8859_5,
            Codec::Iso88596 => encoding_rs::ISO_8859_6,
            Codec::Iso88597 => encoding_rs::ISO_8859_7,
            Codec::Iso88598 => encoding_rs::ISO_8859_8,
            Codec::Iso885910 => encoding_rs::ISO_8859_10,
            Codec::Iso885913 => encoding_rs::ISO_8859_13,
            Codec::Iso885914 => encoding_rs::ISO_8859_14,
            Codec::Iso885915 => encoding_rs::ISO_8859_15,
            Codec::Iso885916 => encoding_rs::ISO_8859_16,
            Codec::Koi8R => encoding_rs::KOI8_R,
            Codec::Koi8U => encoding_rs::KOI8_U,
            Codec::Macintosh => encoding_rs::MACINTOSH,
            Codec::ShiftJis => encoding_rs::SHIFT_JIS,
            Codec::Windows1250 => encoding_rs::WINDOWS_1250,
            Codec::Windows1251 => encoding_rs::WINDOWS_1251,
            Codec::Windows1253 => encoding_rs::WINDOWS_1253,
            Codec::Windows1255 => encoding_rs::WINDOWS_1255,
            Codec::Windows1256 => encoding_rs::WINDOWS_1256,
            Codec::Windows1257 => encoding_rs::WINDOWS_1257,
            Codec::Windows1258 => encoding_rs::WINDOWS_1258,
            Codec::XMacCyrillic => encoding_rs::X_MAC_CYRILLIC,
        }
    }

    /// Single-byte codecs where CPython's table differs from the WHATWG one `encoding_rs`
    /// implements: decoded byte by byte with these bytes mapped as CPython maps them.
    fn single_byte_differences(self) -> Option<&'static [(u8, char)]> {
        match self {
            // The ISO encodings' 0x80-0x9F are C1 controls (WHATWG: Windows characters).
            Codec::Latin1 | Codec::Latin5 | Codec::Tis620 => Some(&[]),
            // CPython's KOI8-U has box drawing where WHATWG's (KOI8-RU) has Belarusian ў/Ў.
            Codec::Koi8U => Some(&[(0xAE, '\u{255D}'), (0xBE, '\u{256C}')]),
            _ => None,
        }
    }
}

/// CPython's codec names and aliases (`encodings.aliases`, normalized as
/// `encodings.normalize_encoding` does) for the codecs decoded, with the codec's own name.
/// Generated from CPython 3.11's registry.
const CODEC_NAMES: &[(&str, Codec, &str)] = &[
    ("1250", Codec::Windows1250, "cp1250"),
    ("1251", Codec::Windows1251, "cp1251"),
    ("1252", Codec::Windows1252, "cp1252"),
    ("1253", Codec::Windows1253, "cp1253"),
    ("1254", Codec::Windows1254, "cp1254"),
    ("1255", Codec::Windows1255, "cp1255"),
    ("1256", Codec::Windows1256, "cp1256"),
    ("1257", Codec::Windows1257, "cp1257"),
    ("1258", Codec::Windows1258, "cp1258"),
    ("646", Codec::Ascii, "ascii"),
    ("866", Codec::Ibm866, "cp866"),
    ("8859", Codec::Latin1, "latin_1"),
    ("932", Codec::ShiftJis, "cp932"),
    ("936", Codec::Gbk, "gbk"),
    ("949", Codec::EucKr, "cp949"),
    ("950", Codec::Big5, "cp950"),
    ("ansi_x3.4_1968", Codec::Ascii, "ascii"),
    ("ansi_x3.4_1986", Codec::Ascii, "ascii"),
    ("ansi_x3_4_1968", Codec::Ascii, "ascii"),
    ("arabic", Codec::Iso88596, "iso8859_6"),
    ("ascii", Codec::Ascii, "ascii"),
    ("asmo_708", Codec::Iso88596, "iso8859_6"),
    ("big5", Codec::Big5, "big5"),
    ("big5_tw", Codec::Big5, "big5"),
    ("chinese", Codec::Gbk, "gb2312"),
    ("cp1250", Codec::Windows1250, "cp1250"),
    ("cp1251", Codec::Windows1251, "cp1251"),
    ("cp1252", Codec::Windows1252, "cp1252"),
    ("cp1253", Codec::Windows1253, "cp1253"),
    ("cp1254", Codec::Windows1254, "cp1254"),
    ("cp1255", Codec::Windows1255, "cp1255"),
    ("cp1256", Codec::Windows1256, "cp1256"),
    ("cp1257", Codec::Windows1257, "cp1257"),
    ("cp1258", Codec::Windows1258, "cp1258"),
    ("cp367", Codec::Ascii, "ascii"),
    ("cp65001", Codec::Utf8, "utf_8"),
    ("cp819", Codec::Latin1, "latin_1"),
    ("cp866", Codec::Ibm866, "cp866"),
    ("cp874", Codec::Windows874, "cp874"),
    ("cp932", Codec::ShiftJis, "cp932"),
    ("cp936", Codec::Gbk, "gbk"),
    ("cp949", Codec::EucKr, "cp949"),
    ("cp950", Codec::Big5, "cp950"),
    ("csascii", Codec::Ascii, "ascii"),
    ("csbig5", Codec::Big5, "big5"),
    ("csibm866", Codec::Ibm866, "cp866"),
    ("csiso2022jp", Codec::Iso2022Jp, "iso2022_jp"),
    ("csiso58gb231280", Codec::Gbk, "gb2312"),
    ("csisolatin1", Codec::Latin1, "latin_1"),
    ("csisolatin2", Codec::Iso88592, "iso8859_2"),
    ("csisolatin3", Codec::Iso88593, "iso8859_3"),
    ("csisolatin4", Codec::Iso88594, "iso8859_4"),
    ("csisolatin5", Codec::Latin5, "iso8859_9"),
    ("csisolatin6", Codec::Iso885910, "iso8859_10"),
    ("csisolatinarabic", Codec::Iso88596, "iso8859_6"),
    ("csisolatincyrillic", Codec::Iso88595, "iso8859_5"),
    ("csisolatingreek", Codec::Iso88597, "iso8859_7"),
    ("csisolatinhebrew", Codec::Iso88598, "iso8859_8"),
    ("cskoi8r", Codec::Koi8R, "koi8_r"),
    ("csshiftjis", Codec::ShiftJis, "shift_jis"),
    ("cyrillic", Codec::Iso88595, "iso8859_5"),
    ("ecma_114", Codec::Iso88596, "iso8859_6"),
    ("ecma_118", Codec::Iso88597, "iso8859_7"),
    ("elot_928", Codec::Iso88597, "iso8859_7"),
    ("euc_cn", Codec::Gbk, "gb2312"),
    ("euc_jp", Codec::EucJp, "euc_jp"),
    ("euc_kr", Codec::EucKr, "euc_kr"),
    ("euccn", Codec::Gbk, "gb2312"),
    ("eucgb2312_cn", Codec::Gbk, "gb2312"),
    ("eucjp", Codec::EucJp, "euc_jp"),
    ("euckr", Codec::EucKr, "euc_kr"),
    ("gb18030", Codec::Gb18030, "gb18030"),
    ("gb18030_2000", Codec::Gb18030, "gb18030"),
    ("gb2312", Codec::Gbk, "gb2312"),
    ("gb2312_1980", Codec::Gbk, "gb2312"),
    ("gb2312_80", Codec::Gbk, "gb2312"),
    ("gbk", Codec::Gbk, "gbk"),
    ("greek", Codec::Iso88597, "iso8859_7"),
    ("greek8", Codec::Iso88597, "iso8859_7"),
    ("hebrew", Codec::Iso88598, "iso8859_8"),
    ("ibm367", Codec::Ascii, "ascii"),
    ("ibm819", Codec::Latin1, "latin_1"),
    ("ibm866", Codec::Ibm866, "cp866"),
    ("iso2022_jp", Codec::Iso2022Jp, "iso2022_jp"),
    ("iso2022jp", Codec::Iso2022Jp, "iso2022_jp"),
    ("iso646_us", Codec::Ascii, "ascii"),
    ("iso8859", Codec::Latin1, "latin_1"),
    ("iso8859_1", Codec::Latin1, "latin_1"),
    ("iso8859_10", Codec::Iso885910, "iso8859_10"),
    ("iso8859_11", Codec::Tis620, "iso8859_11"),
    ("iso8859_13", Codec::Iso885913, "iso8859_13"),
    ("iso8859_14", Codec::Iso885914, "iso8859_14"),
    ("iso8859_15", Codec::Iso885915, "iso8859_15"),
    ("iso8859_16", Codec::Iso885916, "iso8859_16"),
    ("iso8859_2", Codec::Iso88592, "iso8859_2"),
    ("iso8859_3", Codec::Iso88593, "iso8859_3"),
    ("iso8859_4", Codec::Iso88594, "iso8859_4"),
    ("iso8859_5", Codec::Iso88595, "iso8859_5"),
    ("iso8859_6", Codec::Iso88596, "iso8859_6"),
    ("iso8859_7", Codec::Iso88597, "iso8859_7"),
    ("iso8859_8", Codec::Iso88598, "iso8859_8"),
    ("iso8859_9", Codec::Latin5, "iso8859_9"),
    ("iso_2022_jp", Codec::Iso2022Jp, "iso2022_jp"),
    ("iso_646.irv_1991", Codec::Ascii, "ascii"),
    ("iso_8859_1", Codec::Latin1, "latin_1"),
    ("iso_8859_10", Codec::Iso885910, "iso8859_10"),
    ("iso_8859_10_1992", Codec::Iso885910, "iso8859_10"),
    ("iso_8859_11", Codec::Tis620, "iso8859_11"),
    ("iso_8859_11_2001", Codec::Tis620, "iso8859_11"),
    ("iso_8859_13", Codec::Iso885913, "iso8859_13"),
    ("iso_8859_14", Codec::Iso885914, "iso8859_14"),
    ("iso_8859_14_1998", Codec::Iso885914, "iso8859_14"),
    ("iso_8859_15", Codec::Iso885915, "iso8859_15"),
    ("iso_8859_16", Codec::Iso885916, "iso8859_16"),
    ("iso_8859_16_2001", Codec::Iso885916, "iso8859_16"),
    ("iso_8859_1_1987", Codec::Latin1, "latin_1"),
    ("iso_8859_2", Codec::Iso88592, "iso8859_2"),
    ("iso_8859_2_1987", Codec::Iso88592, "iso8859_2"),
    ("iso_8859_3", Codec::Iso88593, "iso8859_3"),
    ("iso_8859_3_1988", Codec::Iso88593, "iso8859_3"),
    ("iso_8859_4", Codec::Iso88594, "iso8859_4"),
    ("iso_8859_4_1988", Codec::Iso88594, "iso8859_4"),
    ("iso_8859_5", Codec::Iso88595, "iso8859_5"),
    ("iso_8859_5_1988", Codec::Iso88595, "iso8859_5"),
    ("iso_8859_6", Codec::Iso88596, "iso8859_6"),
    ("iso_8859_6_1987", Codec::Iso88596, "iso8859_6"),
    ("iso_8859_7", Codec::Iso88597, "iso8859_7"),
    ("iso_8859_7_1987", Codec::Iso88597, "iso8859_7"),
    ("iso_8859_8", Codec::Iso88598, "iso8859_8"),
    ("iso_8859_8_1988", Codec::Iso88598, "iso8859_8"),
    ("iso_8859_9", Codec::Latin5, "iso8859_9"),
    ("iso_8859_9_1989", Codec::Latin5, "iso8859_9"),
    ("iso_celtic", Codec::Iso885914, "iso8859_14"),
    ("iso_ir_100", Codec::Latin1, "latin_1"),
    ("iso_ir_101", Codec::Iso88592, "iso8859_2"),
    ("iso_ir_109", Codec::Iso88593, "iso8859_3"),
    ("iso_ir_110", Codec::Iso88594, "iso8859_4"),
    ("iso_ir_126", Codec::Iso88597, "iso8859_7"),
    ("iso_ir_127", Codec::Iso88596, "iso8859_6"),
    ("iso_ir_138", Codec::Iso88598, "iso8859_8"),
    ("iso_ir_144", Codec::Iso88595, "iso8859_5"),
    ("iso_ir_148", Codec::Latin5, "iso8859_9"),
    ("iso_ir_157", Codec::Iso885910, "iso8859_10"),
    ("iso_ir_166", Codec::Tis620, "tis_620"),
    ("iso_ir_199", Codec::Iso885914, "iso8859_14"),
    ("iso_ir_226", Codec::Iso885916, "iso8859_16"),
    ("iso_ir_58", Codec::Gbk, "gb2312"),
    ("iso_ir_6", Codec::Ascii, "ascii"),
    ("koi8_r", Codec::Koi8R, "koi8_r"),
    ("koi8_u", Codec::Koi8U, "koi8_u"),
    ("korean", Codec::EucKr, "euc_kr"),
    ("ks_c_5601", Codec::EucKr, "euc_kr"),
    ("ks_c_5601_1987", Codec::EucKr, "euc_kr"),
    ("ks_x_1001", Codec::EucKr, "euc_kr"),
    ("ksc5601", Codec::EucKr, "euc_kr"),
    ("ksx1001", Codec::EucKr, "euc_kr"),
    ("l1", Codec::Latin1, "latin_1"),
    ("l10", Codec::Iso885916, "iso8859_16"),
    ("l2", Codec::Iso88592, "iso8859_2"),
    ("l3", Codec::Iso88593, "iso8859_3"),
    ("l4", Codec::Iso88594, "iso8859_4"),
    ("l5", Codec::Latin5, "iso8859_9"),
    ("l6", Codec::Iso885910, "iso8859_10"),
    ("l7", Codec::Iso885913, "iso8859_13"),
    ("l8", Codec::Iso885914, "iso8859_14"),
    ("l9", Codec::Iso885915, "iso8859_15"),
    ("latin", Codec::Latin1, "latin_1"),
    ("latin1", Codec::Latin1, "latin_1"),
    ("latin10", Codec::Iso885916, "iso8859_16"),
    ("latin2", Codec::Iso88592, "iso8859_2"),
    ("latin3", Codec::Iso88593, "iso8859_3"),
    ("latin4", Codec::Iso88594, "iso8859_4"),
    ("latin5", Codec::Latin5, "iso8859_9"),
    ("latin6", Codec::Iso885910, "iso8859_10"),
    ("latin7", Codec::Iso885913, "iso8859_13"),
    ("latin8", Codec::Iso885914, "iso8859_14"),
    ("latin9", Codec::Iso885915, "iso8859_15"),
    ("latin_1", Codec::Latin1, "latin_1"),
    ("mac_cyrillic", Codec::XMacCyrillic, "mac_cyrillic"),
    ("mac_roman", Codec::Macintosh, "mac_roman"),
    ("maccyrillic", Codec::XMacCyrillic, "mac_cyrillic"),
    ("macintosh", Codec::Macintosh, "mac_roman"),
    ("macroman", Codec::Macintosh, "mac_roman"),
    ("ms932", Codec::ShiftJis, "cp932"),
    ("ms936", Codec::Gbk, "gbk"),
    ("ms949", Codec::EucKr, "cp949"),
    ("ms950", Codec::Big5, "cp950"),
    ("ms_kanji", Codec::ShiftJis, "cp932"),
    ("mskanji", Codec::ShiftJis, "cp932"),
    ("s_jis", Codec::ShiftJis, "shift_jis"),
    ("shift_jis", Codec::ShiftJis, "shift_jis"),
    ("shiftjis", Codec::ShiftJis, "shift_jis"),
    ("sjis", Codec::ShiftJis, "shift_jis"),
    ("thai", Codec::Tis620, "iso8859_11"),
    ("tis620", Codec::Tis620, "tis_620"),
    ("tis_620", Codec::Tis620, "tis_620"),
    ("tis_620_0", Codec::Tis620, "tis_620"),
    ("tis_620_2529_0", Codec::Tis620, "tis_620"),
    ("tis_620_2529_1", Codec::Tis620, "tis_620"),
    ("u8", Codec::Utf8, "utf_8"),
    ("u_jis", Codec::EucJp, "euc_jp"),
    ("uhc", Codec::EucKr, "cp949"),
    ("ujis", Codec::EucJp, "euc_jp"),
    ("us", Codec::Ascii, "ascii"),
    ("us_ascii", Codec::Ascii, "ascii"),
    ("utf", Codec::Utf8, "utf_8"),
    ("utf8", Codec::Utf8, "utf_8"),
    ("utf8_ucs2", Codec::Utf8, "utf_8"),
    ("utf8_ucs4", Codec::Utf8, "utf_8"),
    ("utf_8", Codec::Utf8, "utf_8"),
    ("windows_1250", Codec::Windows1250, "cp1250"),
    ("windows_1251", Codec::Windows1251, "cp1251"),
    ("windows_1252", Codec::Windows1252, "cp1252"),
    ("windows_1253", Codec::Windows1253, "cp1253"),
    ("windows_1254", Codec::Windows1254, "cp1254"),
    ("windows_1255", Codec::Windows1255, "cp1255"),
    ("windows_1256", Codec::Windows1256, "cp1256"),
    ("windows_1257", Codec::Windows1257, "cp1257"),
    ("windows_1258", Codec::Windows1258, "cp1258"),
    ("x_mac_japanese", Codec::ShiftJis, "shift_jis"),
    ("x_mac_korean", Codec::EucKr, "euc_kr"),
    ("x_mac_simp_chinese", Codec::Gbk, "gb2312"),
    ("x_mac_trad_chinese", Codec::Big5, "big5"),
];

/// CPython's other text codecs (normalized names and aliases): a cookie naming one of them is
/// valid for Python, but importgate does not decode it (DOS code pages, EBCDIC, UTF-16...).
/// Any other name is unknown to CPython, which then refuses to import the file. Generated
/// from CPython 3.11's `encodings` package.
const OTHER_CPYTHON_CODECS: &[&str] = &[
    "037",
    "1026",
    "1125",
    "1140",
    "273",
    "424",
    "437",
    "500",
    "775",
    "850",
    "852",
    "855",
    "857",
    "858",
    "860",
    "861",
    "862",
    "863",
    "864",
    "865",
    "869",
    "big5_hkscs",
    "big5hkscs",
    "charmap",
    "cp037",
    "cp1006",
    "cp1026",
    "cp1051",
    "cp1125",
    "cp1140",
    "cp1361",
    "cp154",
    "cp273",
    "cp424",
    "cp437",
    "cp500",
    "cp720",
    "cp737",
    "cp775",
    "cp850",
    "cp852",
    "cp855",
    "cp856",
    "cp857",
    "cp858",
    "cp860",
    "cp861",
    "cp862",
    "cp863",
    "cp864",
    "cp865",
    "cp866u",
    "cp869",
    "cp875",
    "cp_gr",
    "cp_is",
    "cshproman8",
    "csibm037",
    "csibm1026",
    "csibm273",
    "csibm424",
    "csibm500",
    "csibm855",
    "csibm857",
    "csibm858",
    "csibm860",
    "csibm861",
    "csibm863",
    "csibm864",
    "csibm865",
    "csibm869",
    "csiso2022kr",
    "cspc775baltic",
    "cspc850multilingual",
    "cspc862latinhebrew",
    "cspc8codepage437",
    "cspcp852",
    "csptcp154",
    "cyrillic_asian",
    "ebcdic_cp_be",
    "ebcdic_cp_ca",
    "ebcdic_cp_ch",
    "ebcdic_cp_he",
    "ebcdic_cp_nl",
    "ebcdic_cp_us",
    "ebcdic_cp_wt",
    "euc_jis2004",
    "euc_jis_2004",
    "euc_jisx0213",
    "eucjis2004",
    "eucjisx0213",
    "hkscs",
    "hp_roman8",
    "hz",
    "hz_gb",
    "hz_gb_2312",
    "hzgb",
    "ibm037",
    "ibm039",
    "ibm1026",
    "ibm1051",
    "ibm1125",
    "ibm1140",
    "ibm273",
    "ibm424",
    "ibm437",
    "ibm500",
    "ibm775",
    "ibm850",
    "ibm852",
    "ibm855",
    "ibm857",
    "ibm858",
    "ibm860",
    "ibm861",
    "ibm862",
    "ibm863",
    "ibm864",
    "ibm865",
    "ibm869",
    "iso2022_jp_1",
    "iso2022_jp_2",
    "iso2022_jp_2004",
    "iso2022_jp_3",
    "iso2022_jp_ext",
    "iso2022_kr",
    "iso2022jp_1",
    "iso2022jp_2",
    "iso2022jp_2004",
    "iso2022jp_3",
    "iso2022jp_ext",
    "iso2022kr",
    "iso_2022_jp_1",
    "iso_2022_jp_2",
    "iso_2022_jp_2004",
    "iso_2022_jp_3",
    "iso_2022_jp_ext",
    "iso_2022_kr",
    "jisx0213",
    "johab",
    "koi8_t",
    "kz1048",
    "kz_1048",
    "mac_arabic",
    "mac_centeuro",
    "mac_croatian",
    "mac_farsi",
    "mac_greek",
    "mac_iceland",
    "mac_latin2",
    "mac_romanian",
    "mac_turkish",
    "maccentraleurope",
    "macgreek",
    "maciceland",
    "maclatin2",
    "macturkish",
    "ms1361",
    "palmos",
    "pt154",
    "ptcp154",
    "r8",
    "raw_unicode_escape",
    "rk1048",
    "roman8",
    "ruscii",
    "s_jis_2004",
    "s_jisx0213",
    "shift_jis_2004",
    "shift_jisx0213",
    "shiftjis2004",
    "shiftjisx0213",
    "sjis_2004",
    "sjisx0213",
    "strk1048_2002",
    "u16",
    "u32",
    "u7",
    "undefined",
    "unicode_1_1_utf_7",
    "unicode_escape",
    "unicodebigunmarked",
    "unicodelittleunmarked",
    "utf16",
    "utf32",
    "utf7",
    "utf_16",
    "utf_16_be",
    "utf_16_le",
    "utf_16be",
    "utf_16le",
    "utf_32",
    "utf_32_be",
    "utf_32_le",
    "utf_32be",
    "utf_32le",
    "utf_7",
    "utf_8_sig",
];

/// Decodes a source file as its language's compiler or interpreter reads it: Python by its
/// PEP 263 cookie (UTF-8 without one), Rust as UTF-8. A BOM is dropped (and kept by fixes).
pub fn decode(language: Language, bytes: Vec<u8>) -> SourceText {
    match language {
        Language::Python => decode_python(bytes),
        Language::Rust => decode_rust(bytes),
    }
}

/// The language of the file at `path` (by its name) for decoding it: a path no frontend
/// reads is taken as Python, as before any other language existed.
pub fn decode_file(path: &std::path::Path, bytes: Vec<u8>) -> SourceText {
    let language = path
        .extension()
        .and_then(|extension| extension.to_str())
        .and_then(Language::of_extension)
        .unwrap_or_default();
    decode(language, bytes)
}

/// Decodes a Rust source file: UTF-8 always (rustc has no other encoding), a BOM allowed.
fn decode_rust(mut bytes: Vec<u8>) -> SourceText {
    let had_bom = bytes.starts_with(UTF8_BOM);
    if had_bom {
        bytes.drain(..UTF8_BOM.len());
    }
    decode_utf8(bytes, had_bom, None)
}

/// Decodes a Python source file.
pub fn decode_python(mut bytes: Vec<u8>) -> SourceText {
    let had_bom = bytes.starts_with(UTF8_BOM);
    if had_bom {
        bytes.drain(..UTF8_BOM.len());
    }
    // With a BOM the file is UTF-8 whatever a cookie says.
    let declared = if had_bom { None } else { coding_cookie(&bytes) };
    let codec = match declared.as_deref() {
        None => Some((Codec::Utf8, "utf_8")),
        Some(name) => lookup_codec(name),
    };
    match codec {
        Some((Codec::Utf8, _)) => decode_utf8(bytes, had_bom, None),
        // ASCII reads the same in every ASCII-compatible codec (ISO-2022-JP escapes its
        // characters into ASCII bytes, so it is always decoded).
        Some((codec, name)) if codec != Codec::Iso2022Jp && bytes.is_ascii() => SourceText {
            text: String::from_utf8(bytes).unwrap_or_default(),
            had_bom,
            encoding: Some(name),
            problem: None,
        },
        Some((codec, name)) => decode_with(codec, name, &bytes, had_bom),
        None => decode_utf8(bytes, had_bom, declared),
    }
}

/// The bytes of `text` in the file's own encoding (`encoding`: a codec's CPython name as
/// [`SourceText::encoding`] holds it, `None` for UTF-8), with the BOM it had; `None` when a
/// character cannot be encoded, or when the bytes would not decode back to exactly `text`
/// (so that whatever is written reads back as what was planned).
pub fn encode(
    language: Language,
    text: &str,
    had_bom: bool,
    encoding: Option<&'static str>,
) -> Option<Vec<u8>> {
    let mut bytes = if had_bom {
        UTF8_BOM.to_vec()
    } else {
        Vec::new()
    };
    match encoding {
        None => bytes.extend_from_slice(text.as_bytes()),
        Some(name) => {
            let (codec, _) = lookup_codec(name)?;
            bytes.extend(encode_with(codec, text)?);
        }
    }
    let decoded = decode(language, bytes.clone());
    (decoded.text == text && decoded.problem.is_none() && decoded.encoding == encoding)
        .then_some(bytes)
}

fn encode_with(codec: Codec, text: &str) -> Option<Vec<u8>> {
    if codec == Codec::Ascii || codec == Codec::Utf8 {
        return (codec == Codec::Utf8 || text.is_ascii()).then(|| text.as_bytes().to_vec());
    }
    if let Some(differences) = codec.single_byte_differences() {
        // The codec's table, read back from the decoder byte by byte.
        let table: std::collections::HashMap<char, u8> = (0..=255u8)
            .filter_map(|byte| {
                let (decoded, errors) = decode_single_byte(codec, &[byte], differences);
                let mut chars = decoded.chars();
                match (errors, chars.next(), chars.next()) {
                    (false, Some(c), None) => Some((c, byte)),
                    _ => None,
                }
            })
            .collect();
        return text.chars().map(|c| table.get(&c).copied()).collect();
    }
    let (bytes, _, unmappable) = codec.encoding().encode(text);
    (!unmappable).then(|| bytes.into_owned())
}

/// Every codec name and alias a cookie may use that importgate decodes (CPython's
/// normalized spelling).
pub fn codec_names() -> Vec<&'static str> {
    CODEC_NAMES.iter().map(|(name, _, _)| *name).collect()
}

/// The codec named `name` by CPython's name (what [`SourceText::encoding`] holds), as a
/// `'static` name.
pub fn codec_name(name: &str) -> Option<&'static str> {
    CODEC_NAMES
        .iter()
        .map(|(_, _, python_name)| *python_name)
        .chain(["utf_8"])
        .find(|known| *known == name)
}

/// A cookie's encoding name as CPython's registry looks it up: lowercased, runs of
/// characters other than letters, digits and `.` made one `_`
/// (`encodings.normalize_encoding`).
fn normalize_codec_name(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut punctuation = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if punctuation && !normalized.is_empty() {
                normalized.push('_');
            }
            normalized.push(c.to_ascii_lowercase());
            punctuation = false;
        } else {
            punctuation = true;
        }
    }
    normalized
}

/// CPython's codec for a cookie's encoding name, when importgate decodes it.
fn lookup_codec(name: &str) -> Option<(Codec, &'static str)> {
    let normalized = normalize_codec_name(name);
    let find = |key: &str| {
        CODEC_NAMES
            .binary_search_by(|(alias, _, _)| (*alias).cmp(key))
            .ok()
            .map(|index| (CODEC_NAMES[index].1, CODEC_NAMES[index].2))
    };
    find(&normalized).or_else(|| find(&normalized.replace('.', "_")))
}

fn decode_with(codec: Codec, name: &'static str, bytes: &[u8], had_bom: bool) -> SourceText {
    let (text, had_errors) = if codec == Codec::Ascii {
        let text: String = bytes
            .iter()
            .map(|&byte| {
                if byte.is_ascii() {
                    char::from(byte)
                } else {
                    '\u{FFFD}'
                }
            })
            .collect();
        (text, true)
    } else if let Some(differences) = codec.single_byte_differences() {
        decode_single_byte(codec, bytes, differences)
    } else {
        let (text, had_errors) = codec.encoding().decode_without_bom_handling(bytes);
        (text.into_owned(), had_errors)
    };
    let problem = had_errors.then(|| {
        let (line, line_start) = first_replacement_line(&text);
        ReadProblem::Decode {
            message: format!(
                "the file declares the encoding `{name}`, and some of its bytes are not valid in it; they were replaced"
            ),
            line,
            line_start,
        }
    });
    SourceText {
        text,
        had_bom,
        encoding: Some(name),
        problem,
    }
}

/// A single-byte codec byte by byte: `differences` as CPython maps them, C1 controls for
/// 0x80-0x9F in the ISO codecs, the WHATWG table for the rest.
fn decode_single_byte(codec: Codec, bytes: &[u8], differences: &[(u8, char)]) -> (String, bool) {
    let encoding = codec.encoding();
    let iso = matches!(codec, Codec::Latin1 | Codec::Latin5 | Codec::Tis620);
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut had_errors = false;
    for &byte in bytes {
        if let Some((_, char)) = differences.iter().find(|(differing, _)| *differing == byte) {
            text.push(*char);
            continue;
        }
        match byte {
            0x00..=0x7F => text.push(char::from(byte)),
            0x80..=0x9F if iso => text.push(char::from(byte)),
            _ if codec == Codec::Latin1 => text.push(char::from(byte)),
            _ => {
                let single = [byte];
                let (decoded, errors) = encoding.decode_without_bom_handling(&single);
                had_errors |= errors;
                text.push_str(&decoded);
            }
        }
    }
    (text, had_errors)
}

/// The 1-based line of the first U+FFFD and the byte offset of that line's start.
fn first_replacement_line(text: &str) -> (u32, u32) {
    let offset = text.find('\u{FFFD}').unwrap_or(0);
    let before = &text.as_bytes()[..offset];
    let line = 1 + memchr::memchr_iter(b'\n', before).count() as u32;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1) as u32;
    (line, line_start)
}

/// UTF-8, replacing invalid bytes; `declared` is a cookie's encoding importgate does not
/// decode.
fn decode_utf8(bytes: Vec<u8>, had_bom: bool, declared: Option<String>) -> SourceText {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            let problem = declared.map(|encoding| ReadProblem::Decode {
                message: format!("{}; it was read as UTF-8", undecoded_codec(&encoding)),
                line: 1,
                line_start: 0,
            });
            return SourceText {
                text,
                had_bom,
                encoding: None,
                problem,
            };
        }
        Err(error) => error.into_bytes(),
    };
    let valid_up_to = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| 0);
    let valid = &bytes[..valid_up_to];
    let line = 1 + memchr::memchr_iter(b'\n', valid).count() as u32;
    let line_start = memchr::memrchr(b'\n', valid).map_or(0, |newline| newline + 1) as u32;
    let message = match declared {
        Some(encoding) => format!(
            "{}; invalid UTF-8 bytes were replaced",
            undecoded_codec(&encoding)
        ),
        None => format!(
            "the file is not valid UTF-8 (byte 0x{:02X} on line {line}); invalid bytes were replaced",
            bytes[valid_up_to]
        ),
    };
    SourceText {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        had_bom,
        encoding: None,
        problem: Some(ReadProblem::Decode {
            message,
            line,
            line_start,
        }),
    }
}

/// What to say of a cookie's encoding that importgate does not decode: a codec of CPython's
/// it does not support, or a name CPython does not know (then Python refuses the file).
fn undecoded_codec(encoding: &str) -> String {
    let normalized = normalize_codec_name(encoding);
    if OTHER_CPYTHON_CODECS
        .binary_search(&normalized.as_str())
        .is_ok()
    {
        format!("the file declares the encoding `{encoding}`, which importgate does not decode")
    } else {
        format!(
            "the file declares the encoding `{encoding}`, which CPython does not know: Python refuses to import it (SyntaxError: encoding problem)"
        )
    }
}

/// The encoding a PEP 263 cookie names, as CPython's tokenizer finds it: the first match
/// of `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` on the first line, or on the second when
/// the first is blank or only a comment. `None` without a cookie or for UTF-8 ones.
fn coding_cookie(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&byte| byte == b'\n');
    let first = lines.next().unwrap_or_default();
    let found = cookie_in_line(first).or_else(|| {
        let blank_or_comment = first
            .iter()
            .find(|byte| !matches!(byte, b' ' | b'\t' | b'\x0c'))
            .is_none_or(|byte| matches!(byte, b'#' | b'\r'));
        if blank_or_comment {
            cookie_in_line(lines.next().unwrap_or_default())
        } else {
            None
        }
    })?;
    // `utf-8`, `utf_8`, `UTF8`, `utf-8-sig`...: UTF-8, as the tokenizer normalises them.
    let lowered = found.to_ascii_lowercase().replace('_', "-");
    if lowered == "utf-8" || lowered.starts_with("utf-8-") || lowered == "utf8" {
        return None;
    }
    Some(found)
}

fn cookie_in_line(line: &[u8]) -> Option<String> {
    let start = line
        .iter()
        .position(|byte| !matches!(byte, b' ' | b'\t' | b'\x0c'))?;
    if line[start] != b'#' {
        return None;
    }
    let comment = &line[start..];
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&comment[from..], b"coding") {
        let after = from + found + b"coding".len();
        if matches!(comment.get(after), Some(b':' | b'=')) {
            let rest = &comment[after + 1..];
            let skipped = rest
                .iter()
                .take_while(|byte| matches!(byte, b' ' | b'\t'))
                .count();
            let name: Vec<u8> = rest[skipped..]
                .iter()
                .copied()
                .take_while(|byte| {
                    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.')
                })
                .collect();
            if !name.is_empty() {
                return String::from_utf8(name).ok();
            }
        }
        from = from + found + 1;
    }
    None
}

/// 1-based line and character column of a byte offset (`\n`, `\r\n` and `\r` end lines;
/// an offset past the end or inside a character counts as the end of the text).
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let mut line = 1;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
        if ends_line {
            line += 1;
            line_start = index + 1;
        }
    }
    (line, 1 + before[line_start..].chars().count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped_and_remembered() {
        let decoded = decode_python(b"\xEF\xBB\xBFimport os\n".to_vec());
        assert_eq!(decoded.text, "import os\n");
        assert!(decoded.had_bom);
        assert_eq!(decoded.problem, None);
    }

    #[test]
    fn latin_1_cookie_decodes_high_bytes() {
        let decoded = decode_python(b"# -*- coding: latin-1 -*-\nname = '\xE9'\n".to_vec());
        assert_eq!(decoded.text, "# -*- coding: latin-1 -*-\nname = '\u{e9}'\n");
        assert_eq!(decoded.problem, None);
    }

    #[test]
    fn windows_1252_cookie_maps_the_high_block() {
        let decoded = decode_python(b"# coding=cp1252\nq = '\x93x\x94'\n".to_vec());
        assert_eq!(decoded.text, "# coding=cp1252\nq = '\u{201c}x\u{201d}'\n");
    }

    /// Regression: a valid Shift-JIS file got a false IG900 and garbled names, and an
    /// import whose name has no ASCII byte was dropped.
    #[test]
    fn shift_jis_cookie_decodes_japanese_names() {
        let mut bytes = b"# -*- coding: sjis -*-\nfrom legacy.".to_vec();
        bytes.extend_from_slice(b"\x83\x66\x81\x5B\x83\x5E"); // データ
        bytes.extend_from_slice(b" import NAME\n");
        let decoded = decode_python(bytes);
        assert_eq!(
            decoded.text,
            "# -*- coding: sjis -*-\nfrom legacy.\u{30c7}\u{30fc}\u{30bf} import NAME\n"
        );
        assert_eq!(decoded.encoding, Some("shift_jis"));
        assert_eq!(decoded.problem, None);
    }

    #[test]
    fn cookie_on_the_second_line_counts_only_after_a_blank_or_comment_line() {
        let cp1251 = |first: &[u8]| {
            let mut bytes = first.to_vec();
            bytes.extend_from_slice(b"# vim: set fileencoding=windows-1251 :\nx = '\xcf'\n");
            decode_python(bytes)
        };
        assert!(cp1251(b"#!/usr/bin/env python\n")
            .text
            .ends_with("x = '\u{41f}'\n"));
        assert!(cp1251(b"\n").text.ends_with("x = '\u{41f}'\n"));
        // After a line of code it is no cookie: the byte is invalid UTF-8.
        assert!(cp1251(b"import os\n").problem.is_some());
    }

    #[test]
    fn a_codec_cpython_does_not_know_is_said_to_be_refused_by_python() {
        let decoded = decode_python(b"# -*- coding: latin-9 -*-\nx = '\xa4'\n".to_vec());
        let Some(ReadProblem::Decode { message, .. }) = decoded.problem else {
            panic!("a problem");
        };
        assert!(message.contains("CPython does not know"), "{message}");
        let decoded = decode_python(b"# -*- coding: cp437 -*-\nx = '\x82'\n".to_vec());
        let Some(ReadProblem::Decode { message, .. }) = decoded.problem else {
            panic!("a problem");
        };
        assert!(message.contains("importgate does not decode"), "{message}");
    }

    #[test]
    fn an_ascii_cookie_rejects_other_bytes() {
        assert!(decode_python(b"# coding: ascii\nx = 1\n".to_vec())
            .problem
            .is_none());
        assert!(decode_python(b"# coding: us-ascii\nx = '\xe9'\n".to_vec())
            .problem
            .is_some());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported_with_its_line() {
        let decoded = decode_python(b"import os\nx = '\xFF'\n".to_vec());
        assert_eq!(decoded.text, "import os\nx = '\u{FFFD}'\n");
        assert!(matches!(
            decoded.problem,
            Some(ReadProblem::Decode {
                line: 2,
                line_start: 10,
                ..
            })
        ));
    }
}
