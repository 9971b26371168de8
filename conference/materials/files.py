"""Uploaded slide files: what a file really is, where it is kept and the name it is served under.

The type is decided by the bytes, never by the name or the browser's Content-Type: a PDF
must start with the PDF signature and end with its trailer; PowerPoint, OpenDocument and
Keynote files are ZIP containers recognised by the entries only that format has.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_FILENAME_LENGTH = 255
STORAGE_KEY = re.compile(r"[0-9a-f]{32}")

PDF_SIGNATURE = b"%PDF-"
PDF_TRAILER = b"%%EOF"
# The trailer may be followed by line ends and, from some producers, a little padding.
PDF_TRAILER_WINDOW = 1024
ZIP_SIGNATURE = b"PK\x03\x04"
ODP_MIMETYPE = b"application/vnd.oasis.opendocument.presentation"
# Keynote '09 keeps index.apxl(.gz); Keynote 2013 and later keep Index/Document.iwa or Index.zip.
KEYNOTE_ENTRIES = {"index.apxl", "index.apxl.gz", "Index/Document.iwa", "Index.zip"}


@dataclass(frozen=True)
class SlideFormat:
    """A file format accepted for slides."""

    extension: str
    content_type: str
    label: str


PDF = SlideFormat("pdf", "application/pdf", "PDF")
PPTX = SlideFormat(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PowerPoint",
)
ODP = SlideFormat(
    "odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation"
)
KEY = SlideFormat("key", "application/vnd.apple.keynote", "Keynote")
SLIDE_FORMATS = {f.extension: f for f in (PDF, PPTX, ODP, KEY)}
ACCEPTED_EXTENSIONS = tuple(f".{extension}" for extension in SLIDE_FORMATS)


def max_upload_bytes() -> int:
    """The largest slide file accepted (MATERIALS_MAX_BYTES, 50 MB unless configured)."""
    return int(current_app.config.get("MATERIALS_MAX_BYTES") or DEFAULT_MAX_BYTES)


def describe_size(size: int) -> str:
    """``size`` bytes for people: "50 MB", "1.5 MB", "900 KB", "12 bytes"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{size} bytes"


def stream_size(stream: BinaryIO) -> int:
    """Length of a seekable stream, leaving it at the start."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def extension_of(filename: str) -> str:
    """The lower-case extension without the dot; empty when there is none."""
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


def _is_pdf(stream: BinaryIO, size: int) -> bool:
    if stream.read(len(PDF_SIGNATURE)) != PDF_SIGNATURE:
        return False
    stream.seek(max(size - PDF_TRAILER_WINDOW, 0))
    return PDF_TRAILER in stream.read(PDF_TRAILER_WINDOW)


def _zip_format(stream: BinaryIO) -> SlideFormat | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = {info.filename: info for info in archive.infolist()}
            if "ppt/presentation.xml" in entries and "[Content_Types].xml" in entries:
                # Macro-enabled decks are a different (and riskier) format.
                return None if "ppt/vbaProject.bin" in entries else PPTX
            mimetype = entries.get("mimetype")
            if mimetype is not None and mimetype.file_size <= len(ODP_MIMETYPE):
                return ODP if archive.read(mimetype).strip() == ODP_MIMETYPE else None
            if KEYNOTE_ENTRIES & entries.keys():
                return KEY
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        NotImplementedError,
        # A damaged or hostile container: offsets before the file's start, entry names that
        # are not the UTF-8 they claim (UnicodeDecodeError), entries needing a password.
        ValueError,
        RuntimeError,
    ):
        return None
    return None


def detect_slide_format(stream: BinaryIO) -> SlideFormat | None:
    """The accepted format the bytes of ``stream`` are in, or None; the stream is rewound."""
    size = stream_size(stream)
    try:
        if _is_pdf(stream, size):
            return PDF
        stream.seek(0)
        if stream.read(len(ZIP_SIGNATURE)) == ZIP_SIGNATURE:
            stream.seek(0)
            return _zip_format(stream)
        return None
    finally:
        stream.seek(0)


def display_filename(raw: str | None, slide_format: SlideFormat) -> str:
    """The uploader's file name without folders or control characters, ending in the real extension."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(". ")
    stem = (
        name[: -(len(slide_format.extension) + 1)]
        if extension_of(name) == slide_format.extension
        else name
    )
    stem = stem[: MAX_FILENAME_LENGTH - len(slide_format.extension) - 1].strip() or "slides"
    return f"{stem}.{slide_format.extension}"


def storage_folder() -> Path:
    """Where slide files are kept: MATERIALS_FOLDER, else ``materials`` in the instance folder."""
    configured = current_app.config.get("MATERIALS_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "materials"
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    return folder


def new_storage_key() -> str:
    """A random file name that says nothing about the talk or the uploader."""
    return secrets.token_hex(16)


def stored_path(storage_key: str) -> Path:
    """The file behind ``storage_key``; keys are checked so no name can leave the folder."""
    if not STORAGE_KEY.fullmatch(storage_key):
        raise ValueError("not a storage key")
    return storage_folder() / storage_key
