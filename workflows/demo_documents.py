"""The drafts the demo's people attach where a step needs one (a tờ trình, a regulation's
draft): a one-page PDF a browser opens, saying what it stands for. The standard PDF fonts
carry no Vietnamese marks, so its words are written without them."""

from __future__ import annotations

import unicodedata


def _plain_ascii(text: str, limit: int) -> str:
    """The text without marks, cut to `limit` characters, then escaped for a PDF string (cut
    after, a backslash could be left escaping the string's end)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in folded if ord(c) < 128 and not unicodedata.combining(c))
    return ascii_text[:limit].replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def draft_pdf(title: str) -> bytes:
    """A one-page PDF whose text says it is the demo's draft of `title`."""
    lines = ["DU THAO (tai lieu minh hoa cua ban demo)", _plain_ascii(title, 90)]
    text = "BT /F1 14 Tf 72 760 Td 18 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    table = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{table}\n%%EOF\n"
    return out + trailer.encode("ascii")
