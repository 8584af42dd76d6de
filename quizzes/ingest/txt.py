"""Plain text files."""

from __future__ import annotations

from .charset import decode_text
from .errors import IngestError
from .limits import Deadline, IngestLimits
from .raw import RawDocument
from .sniff import sniff


def read_txt(data: bytes, *, limits: IngestLimits, deadline: Deadline) -> RawDocument:
    detected = sniff(data)
    if detected is not None:
        raise IngestError("wrong_type", {"detected": detected})
    text, encoding, warnings = decode_text(data)
    return RawDocument(text=text, encoding=encoding, warnings=warnings)
