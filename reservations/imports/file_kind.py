"""Whether an uploaded file is a CSV (text) at all, before its columns are looked for.

People upload what their spreadsheet app saved: an .xlsx (a ZIP), a PDF, a screenshot. Those are
told plainly that they are not CSV, rather than that a column is missing.
"""

NOT_CSV = (
    "This is not a CSV file. Export your spreadsheet as CSV (File → Save as → CSV) and upload that."
)

# How other kinds of files begin.
SIGNATURES = (
    b"\x89PNG",  # PNG image
    b"\xff\xd8\xff",  # JPEG image
    b"GIF87a",
    b"GIF89a",
    b"RIFF",  # WebP image (and other RIFF files)
    b"PK\x03\x04",  # ZIP: .xlsx, .ods, .numbers
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # old Office files: .xls
    b"%PDF",
    b"{\\rtf",  # a word processor's document
)
# Control characters that no text file holds (tab, line ends and form feed aside).
CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\x0c"}


def _decoded(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def is_csv(data: bytes) -> bool:
    """Whether `data` (a whole upload, at most a megabyte) can be a CSV file: text, not an image,
    a spreadsheet or a document."""
    if b"\x00" in data:
        return False  # binary, or UTF-16 text, which the CSV reader does not take
    if data.startswith(SIGNATURES):
        return False
    text = _decoded(data)
    return text is not None and not any(char in CONTROL for char in text)
