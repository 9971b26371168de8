"""Slide files are recognised by their bytes; names are cleaned for download."""

from __future__ import annotations

import io

import pytest

from conference.materials import files
from tests.conference.materials.conftest import (
    encrypted_odp,
    minimal_docx,
    minimal_keynote,
    minimal_odp,
    minimal_pdf,
    minimal_pptx,
    shifted_directory_odp,
    undecodable_name_pptx,
    zip_file,
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (minimal_pdf(), files.PDF),
        (minimal_pptx(), files.PPTX),
        (minimal_odp(), files.ODP),
        (minimal_keynote(), files.KEY),
    ],
)
def test_detect_slide_format_recognises_each_accepted_format(content, expected):
    assert files.detect_slide_format(io.BytesIO(content)) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"just some text pretending to be slides",
        b"<!doctype html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"%PDF-1.4 but no trailer at all",
        b"PK\x03\x04 not really a zip",
        minimal_docx(),
        zip_file(
            {"[Content_Types].xml": b"", "ppt/presentation.xml": b"", "ppt/vbaProject.bin": b""}
        ),
        zip_file({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    ],
)
def test_detect_slide_format_rejects_everything_else(content):
    assert files.detect_slide_format(io.BytesIO(content)) is None


@pytest.mark.parametrize(
    "content",
    [encrypted_odp(), undecodable_name_pptx(), shifted_directory_odp()],
    ids=["encrypted", "undecodable-name", "shifted-directory"],
)
def test_detect_slide_format_rejects_damaged_zip_containers(content):
    assert files.detect_slide_format(io.BytesIO(content)) is None


def test_detect_slide_format_leaves_the_stream_at_the_start():
    stream = io.BytesIO(minimal_pdf())
    files.detect_slide_format(stream)
    assert stream.tell() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("talk.pdf", "talk.pdf"),
        ("C:\\Users\\ada\\Final deck.PDF", "Final deck.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('evil"\r\nX-Injected: 1.pdf', 'evil"X-Injected: 1.pdf'),
        ("Präsentation – Köln.pdf", "Präsentation – Köln.pdf"),
        ("", "slides.pdf"),
        ("deck.pptx", "deck.pptx.pdf"),
        ("x" * 400 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_display_filename_keeps_a_safe_name_with_the_real_extension(raw, expected):
    assert files.display_filename(raw, files.PDF) == expected


def test_stored_path_refuses_names_that_are_not_storage_keys():
    with pytest.raises(ValueError):
        files.stored_path("../secret_key")
