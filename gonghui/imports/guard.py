"""Upload guards: checked before any parser sees the file.

Only .xlsx (a zip with the OOXML parts): magic bytes, size, member count, total uncompressed size
and ratio (zip bombs), no macros, and no DTD in any XML part (entity-expansion bombs; calamine
does not expand entities, this refuses them before it is asked).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from django.utils.translation import gettext as _

from gonghui.lib.errors import ServiceError

MAX_UPLOAD_BYTES = 120 * 1024 * 1024  # a full 1,048,575-row roll of 15 columns is ~80 MB
MAX_MEMBERS = 200
MAX_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 150
MAX_COLUMN = 30  # the widest template has 15 columns; a far-away cell would make the parser allocate the gap
MAX_ROW = 1_048_576
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,9})"')
_ROW_REF = re.compile(rb'<row r="(\d{1,12})"')
ZIP_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error, ValueError)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_upload(name: str, size: int) -> None:
    if not name.lower().endswith(".xlsx"):
        raise ServiceError(_("只接受 .xlsx 格式的 Excel 文件（不支持 .xls、.xlsm、.csv），请用模板另存为 .xlsx 后上传"), field="file")
    if size > MAX_UPLOAD_BYTES:
        raise ServiceError(
            _("文件过大（%(size)s MB），单个文件不能超过 %(max)d MB，请拆分后分批导入")
            % {"size": f"{size / 1024 / 1024:.0f}", "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            field="file",
        )
    if size == 0:
        raise ServiceError(_("文件是空的"), field="file")


def check_xlsx(path: Path) -> None:
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != b"PK\x03\x04":
        raise ServiceError(_("文件内容不是 .xlsx（可能是改了扩展名的 .csv 或 .xls），请在 Excel 中另存为 .xlsx 后上传"), field="file")
    try:
        _check_zip(path)
    except ZIP_ERRORS:  # encrypted members, odd compression methods, truncated data
        raise ServiceError(_("文件已损坏或已加密，无法作为 .xlsx 打开"), field="file") from None


def _check_zip(path: Path) -> None:
    zf = zipfile.ZipFile(path)
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if len(infos) > MAX_MEMBERS:
            raise ServiceError(_("文件结构异常（内部文件过多），已拒绝"), field="file")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise ServiceError(_("文件不是有效的 Excel 工作簿"), field="file")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise ServiceError(_("文件包含宏，已拒绝；请另存为不含宏的 .xlsx"), field="file")
        total = sum(i.file_size for i in infos)
        packed = max(sum(i.compress_size for i in infos), 1)
        if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise ServiceError(_("文件解压后体积异常（疑似压缩炸弹），已拒绝"), field="file")
        for i in infos:
            if i.filename.lower().endswith((".xml", ".rels")):
                with zf.open(i) as part:
                    head = part.read(4096)
                if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise ServiceError(_("文件的 XML 编码不受支持（UTF-16），请在 Excel 中另存为 .xlsx 后上传"), field="file")
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ServiceError(_("文件包含不允许的 XML 声明，已拒绝"), field="file")


def check_contents(path: Path) -> None:
    """The deep check, run in the background before any parser: every XML part read in full.

    Refuses DTDs anywhere (not only in the first bytes), parts that inflate beyond what the zip
    declared, and cells far outside a template's width or Excel's rows: calamine allocates the
    whole rectangle up to the farthest cell, so a 6 KB file naming cell XFD1048576 would ask for
    hundreds of gigabytes and abort the worker.
    """
    try:
        _check_contents(path)
    except ZIP_ERRORS:
        raise ServiceError(_("文件已损坏或已加密，无法作为 .xlsx 打开"), field="file") from None


def _check_contents(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = info.filename.lower()
            if not name.endswith((".xml", ".rels")):
                continue
            sheet = name.startswith("xl/worksheets/")
            seen = 0
            tail = b""
            with zf.open(info) as part:
                while block := part.read(1 << 20):
                    seen += len(block)
                    if seen > info.file_size + 1024 or seen > MAX_UNCOMPRESSED:
                        raise ServiceError(_("文件解压后体积异常（疑似压缩炸弹），已拒绝"), field="file")
                    text = tail + block
                    if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
                        raise ServiceError(_("文件包含不允许的 XML 声明，已拒绝"), field="file")
                    if sheet:
                        for letters, row in _CELL_REF.findall(text):
                            if _column_number(letters) > MAX_COLUMN or int(row) > MAX_ROW:
                                raise ServiceError(
                                    _("工作表中有超出范围的单元格（%(cell)s）：请只保留模板的列，删除表格右侧和下方的多余内容后重新上传")
                                    % {"cell": f"{letters.decode()}{int(row)}"},
                                    field="file",
                                )
                        for row in _ROW_REF.findall(text):
                            if int(row) > MAX_ROW:
                                raise ServiceError(_("工作表的行号超出 Excel 上限，文件已损坏"), field="file")
                    tail = text[-64:]
