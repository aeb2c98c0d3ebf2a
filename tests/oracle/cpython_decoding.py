"""The oracle of the source-decoding differential test: Python source files in many
encodings, each with what CPython reads from it.

Prints a JSON list of {"cookie", "bytes" (hex), "text"}: for every codec name and alias
in the request (stdin: a JSON list of names), a file that declares it in a PEP 263 cookie
and holds characters of that codec (every decodable high byte of a single-byte codec, a
sample of scripts for the others), with the text CPython's tokenizer decodes from it
(tokenize.detect_encoding, then the codec), or null when CPython rejects the file.
"""
import codecs
import io
import json
import sys
import tokenize

# Text by script; a codec's file holds every group it can encode whole.
GROUPS = {
    "latin": "àéîõüçñßøåæœ€“”‘’…–—™ĄąĆćĘęŁłŃńŚśŹźŻżČčŠšŽžŐőŰű",
    "cyrillic": "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяЄєІіЇїҐґ",
    "greek": "ΑΒΓΔΕΖΗΘαβγδεζηθ",
    "hebrew": "אבגדהוזחט",
    "arabic": "ابتثجحخد",
    "thai": "กขฃคฅฆง",
    "japanese": "日本語の文字列ひらがなカタカナ漢字、。「」",
    "chinese": "中文简体繁體字模組匯入，。",
    "korean": "한국어모듈가져오기",
}

# Where encoding_rs (the WHATWG encodings) and CPython's codecs differ, measured over every
# two-byte sequence: Big5/cp950 in the ETEN rows 0xC6A1-0xC8FE (kana, Cyrillic) and a few
# symbols (260 and 250 of 27,462 sequences), cp932's user-defined area 0xF040-0xF9FC and
# its single bytes 0xA0, 0xFD-0xFF (582), EUC-JP and Shift-JIS (6 each), GB18030 (20),
# GB2312 (2). Those are not in the samples; the README lists them.
NOT_COMPARED = {
    "big5": {"cyrillic", "japanese"},
    "cp950": {"cyrillic", "japanese"},
}
HIGH_BYTES_NOT_COMPARED = {"cp932"}


def encodable(text, codec):
    kept = []
    for char in text:
        try:
            char.encode(codec)
            kept.append(char)
        except (UnicodeError, LookupError):
            pass
    return "".join(kept)


def is_single_byte(codec):
    """A charmap codec (every byte one character), or Latin-1."""
    if codec == "latin-1" or codec == "iso8859-1":
        return True
    module = sys.modules.get("encodings." + codec.replace("-", "_"))
    return module is not None and hasattr(module, "decoding_table")


def high_bytes(codec):
    """Every byte 0x80-0xFF that decodes on its own (single-byte codecs)."""
    found = bytearray()
    for byte in range(0x80, 0x100):
        try:
            if len(bytes([byte]).decode(codec)) == 1:
                found.append(byte)
        except UnicodeError:
            pass
    return bytes(found)


def cpython_reads(data):
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, UnicodeError, LookupError):
        return None


def main():
    names = json.load(sys.stdin)
    cases = []
    for name in names:
        codec = codecs.lookup(name).name
        chars = "".join(
            text
            for group, text in GROUPS.items()
            if group not in NOT_COMPARED.get(codec, ()) and encodable(text, codec) == text
        )
        body = f"# -*- coding: {name} -*-\nTEXT = '{chars}'\n".encode(codec)
        if is_single_byte(codec):
            body += b"# " + high_bytes(codec).replace(b"\n", b"").replace(b"\r", b"") + b"\n"
        for data in (body, b"#!/usr/bin/env python\n" + body, b"import os\n" + body):
            cases.append({"cookie": name, "bytes": data.hex(), "text": cpython_reads(data)})
    json.dump(cases, sys.stdout)


main()
