"""`catalog new`: write a new procedure file by answering questions in Vietnamese.

A civil servant who has never seen YAML should still be able to add a procedure, so the
command asks one question at a time, checks each answer at once (and asks again when it
cannot be used), and only writes a file that the loader accepts. It reads plain lines from
stdin, so it also works with answers piped from a file or a test.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

import yaml
from pydantic import ValidationError

from assistant.catalog.loader import check_catalog, procedure_files
from assistant.catalog.schema import PROCEDURE_FACT_KEYS, Procedure
from assistant.catalog.yamlsource import load_yaml
from assistant.staff.catalog_import import (
    registered_instruments,
    registry_change,
    relative_path,
    without_root,
    write_changes,
)
from assistant.staff.cells import (
    NATIONAL_PORTAL,
    PROCEDURE_ORDER,
    RowError,
    load_fields,
    one_line,
    parse_document_line,
    parse_fee,
    parse_legal_line,
    parse_level,
    parse_steps,
    parse_time_limit,
    resolve_field,
)
from assistant.staff.resolution import vn_today
from assistant.staff.sheet import Row
from assistant.staff.yaml_edit import dump, new_map
from assistant.text.normalize import fold, normalize

T = TypeVar("T")

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{2,29}$")
YES = {"co", "c", "yes", "y", "1", "dung", "x"}
NO = {"khong", "k", "ko", "no", "n", "0"}
LEVEL_CHOICES = {"1": "commune", "2": "province", "3": "central"}  # no district level since 1/7/2025
LEVEL_NAMES = {"commune": "cấp xã", "province": "cấp tỉnh", "central": "trung ương"}
KIND_WORDS = {  # folded answer -> document kind
    "": "original", "chinh": "original", "ban chinh": "original", "original": "original",
    "sao": "copy", "ban sao": "copy", "copy": "copy",
    "sao chung thuc": "certified_copy", "ban sao chung thuc": "certified_copy",
    "ban sao co chung thuc": "certified_copy", "sao co chung thuc": "certified_copy",
    "certified_copy": "certified_copy",
    "xuat trinh": "present", "present": "present",
}
OPTIONAL_WORDS = {"khong bat buoc", "neu co", "tuy chon", "optional"}
END_OF_LIST = "(Mỗi dòng một mục; để trống một dòng để kết thúc.)"


class Aborted(Exception):
    """The answers ran out (Ctrl-D or the end of piped input) before the file was complete."""


class Invalid(ValueError):
    """An answer that cannot be used; the message (Vietnamese) is shown before asking again."""


class Prompter:
    """Questions on `out`, answers from `inp`, one line each."""

    def __init__(self, inp: TextIO, out: TextIO) -> None:
        self.inp = inp
        self.out = out
        self.echo_newline = not (hasattr(inp, "isatty") and inp.isatty())

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def read(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        line = self.inp.readline()
        if line == "":
            raise Aborted
        if self.echo_newline:  # piped answers are not echoed, keep one question per line
            self.out.write("\n")
        return " ".join(line.strip().split())

    def ask(self, prompt: str, parse: Callable[[str], T]) -> T:
        while True:
            answer = self.read(prompt)
            try:
                return parse(answer)
            except Invalid as exc:
                self.say(f"  ✗ {exc} Xin nhập lại.")

    def ask_list(self, title: str, parse: Callable[[str], T], minimum: int = 0) -> list[T]:
        self.say(title)
        self.say(f"  {END_OF_LIST}")
        items: list[T] = []
        while True:
            try:
                answer = self.read(f"  {len(items) + 1}> ")
            except Aborted:
                if len(items) >= minimum:
                    return items
                raise
            if not answer:
                if len(items) >= minimum:
                    return items
                self.say(f"  ✗ Cần ít nhất {minimum} mục. Xin nhập tiếp.")
                continue
            try:
                items.append(parse(answer))
            except Invalid as exc:
                self.say(f"  ✗ {exc} Xin nhập lại dòng này.")


# ---------------------------------------------------------------------------------------------
# What is already in the catalogue


class Existing:
    """Ids, national codes and names in use, so a clash is caught at the question that causes it."""

    def __init__(self, directory: Path) -> None:
        self.ids: dict[str, Path] = {}
        self.codes: dict[str, str] = {}
        self.names: dict[str, str] = {}  # normalised name/alias -> procedure id
        for path in procedure_files(directory) if directory.is_dir() else []:
            try:
                data = load_yaml(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
            if not isinstance(data, dict) or not data.get("id"):
                continue
            proc_id = str(data["id"])
            self.ids[proc_id] = path
            if data.get("code"):
                self.codes[str(data["code"])] = proc_id
            for text in [data.get("name"), data.get("short_name"), *(data.get("aliases") or [])]:
                if isinstance(text, str) and text.strip():
                    self.names.setdefault(normalize(text), proc_id)


# ---------------------------------------------------------------------------------------------
# Answer parsers (raise Invalid with a Vietnamese explanation)


def _required(text: str, what: str) -> str:
    if not text.strip():
        raise Invalid(f"Cần nhập {what}.")
    return text.strip()


def parse_yes_no(text: str) -> bool:
    folded = fold(text).strip().rstrip(".")
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise Invalid("Hãy trả lời “có” hoặc “không”.")


def parse_document_answer(text: str) -> dict[str, Any]:
    """'Tên giấy tờ | số bản | loại | không bắt buộc', or a free line such as 'Tờ khai (01 bản chính)'."""
    if "|" not in text:
        return parse_document_line(text)
    parts = [part.strip() for part in text.split("|")]
    name = parts[0]
    if not name:
        raise Invalid("Thiếu tên giấy tờ trước dấu |.")
    doc: dict[str, Any] = {"name": name}
    if len(parts) > 1 and parts[1]:
        if not parts[1].isdigit() or not 0 <= int(parts[1]) <= 20:
            raise Invalid(f"Số bản “{parts[1]}” phải là một số từ 0 đến 20.")
        doc["copies"] = int(parts[1])
    kind = " ".join(fold(parts[2]).split()) if len(parts) > 2 else ""
    if kind not in KIND_WORDS:
        raise Invalid(f"Loại giấy tờ “{parts[2]}” không rõ; dùng: chính, sao, sao chứng thực hoặc xuất trình.")
    doc["kind"] = KIND_WORDS[kind]
    for extra in parts[3:]:
        if " ".join(fold(extra).split()) in OPTIONAL_WORDS:
            doc["required"] = False
        elif extra:
            raise Invalid(f"Không hiểu “{extra}”; phần thứ tư chỉ có thể là “không bắt buộc”.")
    return doc


def parse_place(text: str) -> dict[str, Any]:
    name, _, address = (part.strip() for part in text.partition("|"))
    if not name:
        raise Invalid("Thiếu tên nơi tiếp nhận trước dấu |.")
    return {"name": name, "address": address} if address else {"name": name}


def parse_online(text: str) -> str:
    folded = " ".join(fold(text).split())
    if folded in ("toan trinh", "full", "1"):
        return "full"
    if folded in ("mot phan", "partial", "2"):
        return "partial"
    if folded in ("khong", "k", "none", "0", "3", "khong co"):
        return "none"
    raise Invalid("Hãy trả lời “toàn trình”, “một phần” hoặc “không”.")


def parse_url(text: str) -> str:
    if not text:
        return NATIONAL_PORTAL
    if not re.match(r"^https?://\S+\.\S+$", text):
        raise Invalid("Địa chỉ phải bắt đầu bằng http:// hoặc https://, ví dụ https://dichvucong.gov.vn.")
    return text


def _wrap(parse: Callable[[str], T], message: str) -> Callable[[str], T]:
    def wrapped(text: str) -> T:
        if not text.strip():
            raise Invalid(message)
        try:
            return parse(text)
        except RowError as exc:
            raise Invalid(message) from exc

    return wrapped


# ---------------------------------------------------------------------------------------------
# The interview


def interview(prompter: Prompter, directory: Path, fields: dict[str, str], existing: Existing,
              today: dt.date, instruments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Ask every question and return the procedure as plain data (already checked answer by answer).
    Instruments cited are appended to `instruments` (registry entries: number, title)."""
    instruments = instruments if instruments is not None else []
    p = prompter
    p.say("Tạo hồ sơ thủ tục mới. Trả lời từng câu hỏi; nhấn Ctrl-D để dừng mà không ghi gì.")
    p.say()

    def parse_id(text: str) -> str:
        if not SLUG.match(text) or len(text) > 60:
            raise Invalid("Mã định danh chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 60 ký tự).")
        if text in existing.ids:
            raise Invalid(f"Đã có thủ tục “{text}” ({existing.ids[text]}); công cụ này không ghi đè tệp có sẵn.")
        return text

    proc_id = p.ask("Mã định danh (id), chữ thường không dấu nối bằng gạch ngang, ví dụ dang-ky-khai-sinh: ",
                    parse_id)

    names_here: set[str] = set()

    def parse_name(text: str) -> str:
        text = _required(text, "tên thủ tục")
        key = normalize(text)
        owner = existing.names.get(key)
        if owner:
            raise Invalid(f"Tên “{text}” đã được thủ tục “{owner}” dùng.")
        if key in names_here:
            raise Invalid(f"Tên “{text}” đã nhập rồi.")
        names_here.add(key)
        return text

    name = p.ask("Tên thủ tục (như trong Cơ sở dữ liệu quốc gia): ", parse_name)

    def parse_code(text: str) -> str | None:
        if not text:
            return None
        if not CODE.match(text):
            raise Invalid("Mã thủ tục không hợp lệ, ví dụ đúng: 1.004873.")
        if text in existing.codes:
            raise Invalid(f"Mã {text} đã thuộc thủ tục “{existing.codes[text]}”.")
        return text

    code = p.ask("Mã thủ tục quốc gia (ví dụ 1.004873; để trống nếu chưa có): ", parse_code)

    p.say("Lĩnh vực:")
    slugs = list(fields)
    for number, slug in enumerate(slugs, 1):
        p.say(f"  {number}. {fields[slug]} ({slug})")

    def parse_field(text: str) -> str:
        if text.isdigit() and 1 <= int(text) <= len(slugs):
            return slugs[int(text) - 1]
        try:
            return resolve_field(_required(text, "lĩnh vực"), fields)
        except RowError as exc:
            raise Invalid("Chọn số thứ tự hoặc mã lĩnh vực trong danh sách trên.") from exc

    field_slug = p.ask("Chọn lĩnh vực (số thứ tự hoặc mã): ", parse_field)

    def parse_level_answer(text: str) -> str:
        if text in LEVEL_CHOICES:
            return LEVEL_CHOICES[text]
        try:
            return parse_level(_required(text, "cấp thực hiện"))
        except RowError as exc:
            if "1/7/2025" in exc.message:
                raise Invalid("Cấp huyện đã bỏ từ ngày 1/7/2025; hãy chọn cấp xã hoặc cấp tỉnh.") from exc
            raise Invalid("Hãy chọn 1–3 hoặc ghi: xã, tỉnh, trung ương.") from exc

    level = p.ask("Cấp thực hiện (1. cấp xã  2. cấp tỉnh  3. trung ương): ", parse_level_answer)
    agency = p.ask("Cơ quan thực hiện: ", lambda t: _required(t, "cơ quan thực hiện"))
    applicants = p.ask_list("Đối tượng thực hiện (ai được làm thủ tục này):", lambda t: t, minimum=1)
    documents = p.ask_list(
        "Thành phần hồ sơ, mỗi dòng một giấy tờ theo dạng: Tên giấy tờ | số bản | loại\n"
        "  loại: chính, sao, sao chứng thực hoặc xuất trình (bỏ trống là bản chính);\n"
        "  thêm “| không bắt buộc” nếu giấy tờ chỉ cần trong một số trường hợp.\n"
        "  Ví dụ: Tờ khai đăng ký khai sinh | 1 | chính\n"
        "  Để trống ngay dòng đầu nếu người dân không phải nộp giấy tờ nào.",
        parse_document_answer)
    nothing_to_submit = None
    if not documents:
        nothing_to_submit = p.ask(
            "Không phải nộp giấy tờ: ghi một câu cho người dân (ví dụ: Không phải nộp giấy tờ đã có trong "
            "Cơ sở dữ liệu quốc gia về dân cư; chỉ cần cung cấp số định danh cá nhân.): ",
            lambda t: _required(t, "câu giải thích"))
    time_limit = p.ask("Thời hạn giải quyết (ví dụ: 03 ngày làm việc, Trong ngày, 04 giờ làm việc): ",
                       _wrap(parse_time_limit,
                             "Không đọc được thời hạn; ví dụ: 03 ngày làm việc, Trong ngày, 04 giờ làm việc."))
    fees = p.ask("Phí, lệ phí (ví dụ: Miễn lệ phí, 15.000 đồng, hoặc ghi cách tính): ",
                 _wrap(parse_fee, "Cần ghi phí, lệ phí (ghi “Miễn lệ phí” nếu không thu)."))
    where = p.ask_list("Nơi tiếp nhận hồ sơ, dạng: Tên nơi tiếp nhận | địa chỉ (địa chỉ có thể bỏ trống):",
                       parse_place, minimum=1)
    online = p.ask("Nộp trực tuyến được không? (toàn trình / một phần / không): ", parse_online)
    channels: dict[str, Any] = {"in_person": True}
    if online != "none":
        channels["online_url"] = p.ask(f"Địa chỉ nộp trực tuyến (Enter để dùng {NATIONAL_PORTAL}): ", parse_url)
    channels["postal"] = p.ask("Có nhận hồ sơ qua dịch vụ bưu chính không? (có / không): ", parse_yes_no)
    channels["online"] = online

    def parse_step(text: str) -> str:
        steps = parse_steps(text)
        if not steps:
            raise Invalid("Bước này đang trống.")
        return steps[0]

    steps = p.ask_list("Trình tự thực hiện, mỗi dòng một bước theo thứ tự:", parse_step, minimum=1)
    result = p.ask("Kết quả thực hiện (giấy tờ người dân nhận được): ", lambda t: _required(t, "kết quả"))
    def parse_legal(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            return parse_legal_line(text)
        except RowError as exc:
            raise Invalid(exc.message[0].upper() + exc.message[1:] + ".") from exc

    legal = p.ask_list("Căn cứ pháp lý, mỗi dòng một văn bản có số hiệu (ví dụ: Nghị định 123/2015/NĐ-CP, Điều 22; "
                       "có thể để trống):", parse_legal)
    legal_basis = [ref for ref, _ in legal]
    instruments.extend(entry for _, entry in legal)
    sources = p.ask_list("Nguồn đã đối chiếu (bắt buộc), dạng: Tiêu đề văn bản hoặc trang | đường dẫn "
                         "(đường dẫn có thể bỏ trống):", parse_source, minimum=1)
    aliases = p.ask_list("Tên gọi khác mà người dân hay dùng (ví dụ: giấy độc thân; có thể để trống):",
                         parse_name)

    data: dict[str, Any] = {"id": proc_id, "name": name}
    if code:
        data["code"] = code
    if aliases:
        data["aliases"] = aliases
    data.update({
        "field": field_slug, "level": level, "agency": agency, "applicants": applicants,
        "documents": documents,
    })
    if nothing_to_submit:
        data["nothing_to_submit"] = nothing_to_submit
    data.update({"time_limit": time_limit, "fees": fees, "where": where,
                 "channels": channels, "steps": steps, "result": one_line(result)})
    if legal_basis:
        data["legal_basis"] = legal_basis
    supports = [key for key in data if key in PROCEDURE_FACT_KEYS]
    data["sources"] = [{"supports": supports, **source, "checked": today} for source in sources]
    # No `reviewed`: only `catalog review ID --by NAME` records that a person checked the facts.
    return data


def parse_source(text: str) -> dict[str, Any]:
    title, _, url = (part.strip() for part in text.partition("|"))
    if not title:
        raise Invalid("Thiếu tiêu đề nguồn trước dấu |.")
    if url and not re.match(r"^https?://\S+\.\S+$", url):
        raise Invalid("Đường dẫn phải bắt đầu bằng http:// hoặc https://.")
    return {"title": title, "url": url} if url else {"title": title}


def render(data: dict[str, Any]) -> str:
    return dump(new_map(data, PROCEDURE_ORDER))


def catalogue_errors(directory: Path, relative: Path, text: str, registry: Any = None) -> list[str]:
    """Errors the new file would add to the catalogue (an alias clash...), found in a scratch copy."""
    before = {(relative_path(p.path, directory), without_root(p.message, directory, directory))
              for p in check_catalog(directory) if p.severity == "error"}
    with tempfile.TemporaryDirectory(prefix="catalog-new-") as scratch:
        copy = Path(scratch) / "catalog"
        shutil.copytree(directory, copy)
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if registry is not None:
            (copy / registry.path.relative_to(directory)).parent.mkdir(parents=True, exist_ok=True)
            (copy / registry.path.relative_to(directory)).write_text(registry.new_text, encoding="utf-8")
        errors = []
        for problem in check_catalog(copy):
            rel, message = relative_path(problem.path, copy), without_root(problem.message, copy, directory)
            if problem.severity == "error" and (rel, message) not in before:
                errors.append(f"{rel}:{problem.line}: {message}")
        return errors


def run_new(directory: Path, inp: TextIO, out: TextIO, today: dt.date | None = None) -> int:
    today = today or vn_today()  # the date staff see on their calendar, not the server's UTC day
    prompter = Prompter(inp, out)
    fields = load_fields(directory)
    if not fields:
        prompter.say(f"Không đọc được danh sách lĩnh vực {directory / 'fields.yaml'}; kiểm tra thư mục --dir.")
        return 2
    instruments: list[dict[str, Any]] = []
    try:
        data = interview(prompter, directory, fields, Existing(directory), today, instruments)
    except (Aborted, KeyboardInterrupt):
        prompter.say("\nĐã dừng: chưa ghi tệp nào.")
        return 1
    text = render(data)
    try:
        Procedure.model_validate(load_yaml(text))
    except ValidationError as exc:  # pragma: no cover - every answer was checked above
        prompter.say(f"Hồ sơ chưa hợp lệ, chưa ghi tệp nào:\n{exc}")
        return 1
    relative = Path(data["field"]) / f"{data['id']}.yaml"
    known = registered_instruments(directory)
    new = {e["number"]: (Row(0, {}), e) for e in instruments if e["number"] not in known}
    registry = registry_change(directory, new) if new else None
    errors = catalogue_errors(directory, relative, text, registry)
    if errors:
        prompter.say("Danh mục sẽ bị lỗi nếu thêm thủ tục này, chưa ghi tệp nào:")
        for error in errors:
            prompter.say(f"  {error}")
        return 1
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        prompter.say(f"Tệp {path} đã có sẵn; không ghi đè.")
        return 1
    if registry is not None:
        write_changes([registry])
        prompter.say(f"Đã thêm văn bản vào {registry.path}: hãy bổ sung ngày hiệu lực (in_force) và văn bản "
                     "thay thế (replaced_by) nếu có.")
    prompter.say()
    prompter.say(f"Đã tạo {path} ({LEVEL_NAMES[data['level']]}, lĩnh vực {fields[data['field']]}).")
    prompter.say("Có thể bổ sung thêm bằng tay: từ khóa (keywords), câu hỏi mẫu (examples), ghi chú (notes).")
    prompter.say("Sau đó chạy: python -m assistant catalog check; khi đã đối chiếu xong, người rà soát chạy: "
                 f"python -m assistant catalog review {data['id']} --by \"Họ tên\"")
    return 0
