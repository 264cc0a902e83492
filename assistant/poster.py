"""A printable A4 poster for the counter: the procedure's name, the three facts people ask first
(papers, time, fee), the QR code that opens it in the chat, in the locality's name.

PDF through fpdf2 or PNG through Pillow, both with Roboto from the `font-roboto` package: the
font travels with the install, so Vietnamese letters (ầ, ữ, ộ…) render on a fresh machine with
no system fonts.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.qr import qr_png_bytes

if TYPE_CHECKING:
    from assistant.catalog.schema import Procedure

A4_MM = (210.0, 297.0)
PNG_DPI = 150
MAX_PAPERS = 4


@dataclass(frozen=True, slots=True)
class Poster:
    locality: str
    title: str
    facts: list[tuple[str, str]]  # (label, text)
    url: str
    code: str | None

    @property
    def caption(self) -> str:
        return "Quét mã bằng điện thoại để xem đủ giấy tờ, nơi nộp và hỏi thêm trợ lý."


def fonts() -> tuple[str, str]:
    """Regular and bold Roboto shipped by the `font-roboto` package."""
    import font_roboto

    files = font_roboto.font_files
    return files["Roboto"], files["RobotoBold"]


def poster_for(proc: Procedure, url: str, locality: str | None) -> Poster:
    from assistant.dialogue.wording import short_label

    papers = [short_label(d.name, 70) for _, d in proc.checklist if d.required]
    listed = papers if len(papers) <= MAX_PAPERS + 1 else papers[:MAX_PAPERS]
    shown = "; ".join(listed)
    if len(listed) < len(papers):
        shown += f"; và {len(papers) - len(listed)} giấy tờ khác (quét mã để xem đủ)"
    from assistant.dialogue.facts import fee_short, time_limit_text
    from assistant.workdays import VN_TZ

    today = dt.datetime.now(VN_TZ).date()  # the fee in force on the day the poster is printed
    facts = [("Giấy tờ cần mang", shown or proc.nothing_to_submit or "Không cần nộp giấy tờ"),
             ("Thời hạn giải quyết", time_limit_text(proc.time_limit)),
             ("Lệ phí", fee_short(proc.fees, today))]
    facts = [(label, text[:1].upper() + text[1:]) for label, text in facts]  # each fact reads as a sentence
    return Poster(locality=locality or "Bộ phận một cửa", title=proc.display_name, facts=facts, url=url,
                  code=proc.code)


def write_poster(poster: Poster, path: Path) -> Path:
    """A4, PDF unless the file name ends in .png."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".png":
        path.write_bytes(poster_png(poster))
    else:
        path.write_bytes(poster_pdf(poster))
    return path


def poster_pdf(poster: Poster) -> bytes:
    from fpdf import FPDF

    regular, bold = fonts()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 16, 18)
    pdf.add_font("Roboto", "", regular)
    pdf.add_font("Roboto", "B", bold)
    pdf.add_page()
    width = A4_MM[0] - 36
    pdf.set_fill_color(11, 92, 173)
    pdf.rect(0, 0, A4_MM[0], 30, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Roboto", "B", 20)
    pdf.set_xy(18, 8)
    pdf.cell(width, 9, poster.locality, align="C")
    pdf.set_font("Roboto", "", 13)
    pdf.set_xy(18, 18)
    pdf.cell(width, 7, "Trợ lý thủ tục hành chính", align="C")
    pdf.set_text_color(8, 71, 133)
    pdf.set_font("Roboto", "B", 28)
    pdf.set_xy(18, 40)
    pdf.multi_cell(width, 12, poster.title, align="C")
    y = pdf.get_y() + 6
    pdf.set_text_color(29, 39, 51)
    for label, text in poster.facts:
        pdf.set_xy(18, y)
        pdf.set_font("Roboto", "B", 15)
        pdf.cell(width, 8, label)
        pdf.set_xy(18, y + 8)
        pdf.set_font("Roboto", "", 14)
        pdf.multi_cell(width, 7, text)
        y = pdf.get_y() + 4
    side = min(110.0, 297 - 40 - y - 10)
    pdf.image(io.BytesIO(qr_png_bytes(poster.url, scale=12, border=2)), x=(A4_MM[0] - side) / 2, y=y + 2,
              w=side, h=side)
    y += side + 6
    pdf.set_xy(18, y)
    pdf.set_font("Roboto", "B", 14)
    pdf.multi_cell(width, 7, poster.caption, align="C")
    pdf.set_font("Roboto", "", 10)
    pdf.set_text_color(91, 103, 117)
    pdf.set_xy(18, 297 - 22)
    pdf.multi_cell(width, 5, poster.url + (f"\nMã thủ tục: {poster.code}" if poster.code else ""), align="C")
    return bytes(pdf.output())


def poster_png(poster: Poster) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    regular, bold = fonts()
    px = lambda mm: round(mm / 25.4 * PNG_DPI)  # noqa: E731
    page = Image.new("RGB", (px(A4_MM[0]), px(A4_MM[1])), "white")
    draw = ImageDraw.Draw(page)
    margin, width = px(18), px(A4_MM[0] - 36)

    def font(path: str, pt: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(path, round(pt / 72 * PNG_DPI))

    def wrap(text: str, face: ImageFont.FreeTypeFont) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                trial = f"{line} {word}".strip()
                if draw.textlength(trial, font=face) <= width or not line:
                    line = trial
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
        return lines

    def block(text: str, face: ImageFont.FreeTypeFont, y: int, fill: str, center: bool = False,
              leading: float = 1.3) -> int:
        for line in wrap(text, face):
            x = margin + (width - draw.textlength(line, font=face)) / 2 if center else margin
            draw.text((x, y), line, font=face, fill=fill)
            y += round(face.size * leading)
        return y

    draw.rectangle((0, 0, page.width, px(30)), fill="#0b5cad")
    block(poster.locality, font(bold, 20), px(7), "white", center=True)
    block("Trợ lý thủ tục hành chính", font(regular, 13), px(18), "white", center=True)
    y = block(poster.title, font(bold, 28), px(40), "#084785", center=True, leading=1.2) + px(6)
    for label, text in poster.facts:
        y = block(label, font(bold, 15), y, "#1d2733")
        y = block(text, font(regular, 14), y, "#1d2733") + px(3)
    side = min(px(110), page.height - px(40) - y - px(10))
    qr = Image.open(io.BytesIO(qr_png_bytes(poster.url, scale=12, border=2))).convert("RGB")
    page.paste(qr.resize((side, side), Image.NEAREST), ((page.width - side) // 2, y + px(2)))
    y += side + px(6)
    block(poster.caption, font(bold, 14), y, "#1d2733", center=True)
    block(poster.url + (f"\nMã thủ tục: {poster.code}" if poster.code else ""), font(regular, 10),
          page.height - px(22), "#5b6775", center=True)
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(PNG_DPI, PNG_DPI))
    return out.getvalue()


__all__ = ["Poster", "poster_for", "poster_pdf", "poster_png", "write_poster"]
