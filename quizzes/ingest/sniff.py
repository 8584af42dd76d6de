"""What a file really is, from its first bytes (so a PNG named .pdf is caught)."""

from __future__ import annotations

# (prefix, kind), checked in order; kinds are short and stable, they go into error params.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .doc/.xls, or a password-protected .docx
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x7fELF", "elf"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"{\\rtf", "rtf"),
    (b"\x00\x00\x00\x0cjP  ", "jpeg2000"),
)

# A PDF header may follow some junk; readers accept it within the first kilobyte.
PDF_HEADER_WINDOW = 1024


def sniff(data: bytes) -> str | None:
    """The kind of binary file ``data`` starts like, or None for anything else (text)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    # Two-letter magics also start ordinary text ("BMW…"): ask for the NUL bytes of a header.
    if data[:2] in (b"BM", b"MZ") and b"\x00" in data[2:64]:
        return "bmp" if data[:2] == b"BM" else "exe"
    for prefix, kind in _MAGIC:
        if data.startswith(prefix):
            return kind
    if data[:12].startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return None


def looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:PDF_HEADER_WINDOW]
