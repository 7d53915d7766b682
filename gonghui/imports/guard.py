"""Upload guards: checked before any parser sees the file.

Only .xlsx (a zip with the OOXML parts): magic bytes, size, member count, total uncompressed size
and ratio (zip bombs), no macros, and no DTD in any XML part (entity-expansion bombs; calamine
does not expand entities, this refuses them before it is asked).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from gonghui.lib.errors import ServiceError

MAX_UPLOAD_BYTES = 120 * 1024 * 1024  # a full 1,048,575-row roll of 15 columns is ~80 MB
MAX_MEMBERS = 200
MAX_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 150


def check_upload(name: str, size: int) -> None:
    if not name.lower().endswith(".xlsx"):
        raise ServiceError("只接受 .xlsx 格式的 Excel 文件（不支持 .xls、.xlsm、.csv），请用模板另存为 .xlsx 后上传", field="file")
    if size > MAX_UPLOAD_BYTES:
        raise ServiceError(
            f"文件过大（{size / 1024 / 1024:.0f} MB），单个文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请拆分后分批导入", field="file"
        )
    if size == 0:
        raise ServiceError("文件是空的", field="file")


def check_xlsx(path: Path) -> None:
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != b"PK\x03\x04":
        raise ServiceError("文件内容不是 .xlsx（可能是改了扩展名的 .csv 或 .xls），请在 Excel 中另存为 .xlsx 后上传", field="file")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ServiceError("文件已损坏，无法作为 .xlsx 打开", field="file") from None
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if len(infos) > MAX_MEMBERS:
            raise ServiceError("文件结构异常（内部文件过多），已拒绝", field="file")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            raise ServiceError("文件不是有效的 Excel 工作簿", field="file")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise ServiceError("文件包含宏，已拒绝；请另存为不含宏的 .xlsx", field="file")
        total = sum(i.file_size for i in infos)
        packed = max(sum(i.compress_size for i in infos), 1)
        if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise ServiceError("文件解压后体积异常（疑似压缩炸弹），已拒绝", field="file")
        for i in infos:
            if i.filename.endswith((".xml", ".rels")):
                with zf.open(i) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ServiceError("文件包含不允许的 XML 声明，已拒绝", field="file")
