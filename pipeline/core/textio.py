"""Decoding text files people hand us: UTF-8 with or without BOM, UTF-16, cp1252; CRLF."""
from __future__ import annotations

from pipeline.core.errors import ManifestError


def decode_text(data: bytes, name: str = "text") -> str:
    """Decode text whatever its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise ManifestError(f"{name}: unknown text encoding (save it as UTF-8)") from exc
    if "\x00" in text:
        raise ManifestError(f"{name}: looks like a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
