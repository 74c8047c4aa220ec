"""Evidence files are told by their content; hostile files are refused with a clear message."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests import evidence_files as files

from mnr.core import evidence
from mnr.core.evidence import EvidenceRefused, check_evidence
from mnr.core.limits import MAX_EVIDENCE_BYTES


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("law.pdf", files.PDF, evidence.PDF),
        ("Law.PDF", files.PDF, evidence.PDF),
        ("chart.png", files.PNG, evidence.PNG),
        ("photo.jpg", files.JPEG, evidence.JPEG),
        ("photo.jpeg", files.JPEG, evidence.JPEG),
        ("moving.gif", files.GIF, evidence.GIF),
        ("poster.webp", files.WEBP, evidence.WEBP),
        ("policy.docx", files.DOCX, evidence.DOCX),
        ("budget.xlsx", files.XLSX, evidence.XLSX),
        ("slides.pptx", files.PPTX, evidence.PPTX),
        ("policy.odt", files.ODT, evidence.ODT),
        ("Rapport d'activité 2024.pdf", files.PDF, evidence.PDF),
    ],
)
def test_accepted_types_are_told_by_their_content(
    name: str, content: bytes, expected: evidence.FileType
) -> None:
    checked = check_evidence(name, content)
    assert checked.file_type == expected
    assert checked.name == name
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", files.EXE, "'report.pdf' is a Windows program"),
        ("report.pdf", files.HTML, "'report.pdf' is an HTML, SVG or XML page"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "HTML, SVG or XML page"),
        ("policy.docx", files.docx_bomb(), "refused as a zip bomb"),
        ("policy.docx", files.DOCM, "an office document with macros"),
        ("policy.docx", files.PLAIN_ZIP, "is a ZIP archive, not an office document"),
        ("policy.docx", b"PK\x03\x04 broken", "is not a readable office document"),
        ("policy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "legacy Office file"),
        ("notes.txt", b"plain synthetic text", "is not of a type that is accepted"),
        ("empty.pdf", b"", "'empty.pdf' is empty (0 bytes)"),
        ("../../x.pdf", files.PDF, "the file name is a path"),
        ("..\\..\\x.pdf", files.PDF, "the file name is a path"),
        ("..", files.PDF, "the file name is a path"),
        ("x\x00.pdf", files.PDF, "NUL character"),
        ("x\n.pdf", files.PDF, "control characters"),
        ("x\ud800.pdf", files.PDF, "not valid Unicode"),
        ("   ", files.PDF, "has no name"),
        ("a" * 300 + ".pdf", files.PDF, "304 characters long"),
        # The extension must agree with the content, both ways.
        ("report.pdf", files.PNG, "'report.pdf' is a PNG image but its name ends in .pdf"),
        ("report", files.PDF, "ends in (no extension); name it .pdf"),
        ("budget.docx", files.XLSX, "is an Excel workbook but its name ends in .docx"),
        ("report.pdf.exe", files.PDF, "ends in .exe; name it .pdf"),
    ],
)
def test_hostile_and_wrong_files_are_refused_naming_the_file(
    name: str, content: bytes, message: str
) -> None:
    with pytest.raises(EvidenceRefused) as refused:
        check_evidence(name, content)
    assert message in str(refused.value)


def test_a_file_over_the_limit_is_refused_with_the_limit() -> None:
    content = files.PDF + b"\x00" * (MAX_EVIDENCE_BYTES + 1 - len(files.PDF))
    with pytest.raises(EvidenceRefused, match=r"'big.pdf' is 10,485,761 bytes; .* at most 10 MiB"):
        check_evidence("big.pdf", content)
    padded = files.PDF + b"\x00" * (MAX_EVIDENCE_BYTES - len(files.PDF))
    assert check_evidence("big.pdf", padded).size == MAX_EVIDENCE_BYTES


@given(st.binary(max_size=600), st.sampled_from(evidence.ACCEPTED_EXTENSIONS))
def test_any_content_is_accepted_only_as_what_its_first_bytes_say(
    content: bytes, extension: str
) -> None:
    try:
        checked = check_evidence("file" + extension, content)
    except EvidenceRefused as refused:
        assert str(refused).startswith(f"'file{extension}'")
    else:
        assert extension in checked.file_type.extensions
        assert evidence.content_type_of(content) == checked.file_type
