"""Material files: size limit, type checked by content, content-addressed by SHA-256."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from django.conf import settings

from yiwang.applications.filecheck import is_image_pdf_polyglot, pdf_active_content
from yiwang.core.errors import ValidationFailed

# Types a resident may upload: scans and photos, judged by their bytes not by their name.
ALLOWED_CONTENT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class UploadLimits:
    """What `store_material_file` accepts, for the pages to state beside each upload."""

    accept: str  # the file input's accept attribute
    type_names: str  # "PDF / JPEG / PNG"
    max_megabytes: int


def _megabytes(limit: int) -> int:
    return limit // (1024 * 1024)


def upload_limits() -> UploadLimits:
    """The limits the upload check applies now (settings.MATERIAL_MAX_BYTES and the accepted types)."""
    return UploadLimits(
        # On a phone, an accept list with image types makes the file input offer the camera beside
        # the gallery and files (Android Chrome, iOS Safari). No `capture` attribute: it would open
        # the camera only, and a resident with a scanned PDF could not choose it. The exact types,
        # not image/*: an iPhone then sends its photo as JPEG instead of HEIC, which is refused here.
        accept=",".join(ALLOWED_CONTENT_TYPES),
        type_names=" / ".join(ALLOWED_CONTENT_TYPES.values()),
        max_megabytes=_megabytes(settings.MATERIAL_MAX_BYTES),
    )


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    storage_path: str  # relative to MEDIA_ROOT


def _materials_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "materials"


def store_material_file(stream: BinaryIO, *, max_bytes: int | None = None) -> StoredFile:
    """Check and store an uploaded file; raise ValidationFailed (nothing stored) if it is refused."""
    limit = max_bytes or settings.MATERIAL_MAX_BYTES
    root = _materials_root()
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(
                        "file_too_large",
                        f"文件超过大小上限 {_megabytes(limit)} MB。",
                        f"The file is larger than the {_megabytes(limit)} MB limit.",
                    )
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed("empty_file", "文件为空。", "The file is empty.")
        kind = filetype.guess(head)
        content_type = kind.mime if kind else ""
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise ValidationFailed(
                "unsupported_file_type",
                "文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，与扩展名无关）。",
                "The file's content is not PDF, JPEG or PNG (judged by content, not by the file name).",
                details={"detected": content_type or "unknown"},
            )
        _refuse_active_content(tmp_name, content_type, head)
        sha = digest.hexdigest()
        relative = f"materials/{sha[:2]}/{sha}"
        final = Path(settings.MEDIA_ROOT) / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, final)
        tmp_name = None
        return StoredFile(sha256=sha, size=size, content_type=content_type, storage_path=relative)
    finally:
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _refuse_active_content(path: str, content_type: str, head: bytes) -> None:
    if content_type == "application/pdf":
        with open(path, "rb") as stored:
            found = pdf_active_content(stored.read())
        if found:
            raise ValidationFailed(
                "pdf_active_content",
                "PDF 文件中含有脚本或自动执行的动作，不能上传。请用扫描件或“打印为 PDF”另存后再上传。",
                "The PDF contains scripts or automatic actions and cannot be uploaded. Save it again as a plain scan "
                "or with 'print to PDF', then upload it.",
                details={"found": found},
            )
    elif is_image_pdf_polyglot(head):
        raise ValidationFailed(
            "polyglot_file",
            "图片文件中夹带了 PDF 内容，不能上传。请重新拍照或扫描后上传。",
            "The image also carries PDF content and cannot be uploaded. Take or scan the picture again.",
        )


def store_shared_record(record: dict) -> StoredFile:
    """Keep a record fetched from a registry as canonical JSON (it is ours, so no type check)."""
    data = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    sha = hashlib.sha256(data).hexdigest()
    relative = f"materials/{sha[:2]}/{sha}"
    final = Path(settings.MEDIA_ROOT) / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".record-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp_name, final)
    return StoredFile(sha256=sha, size=len(data), content_type="application/json", storage_path=relative)


def open_material_file(storage_path: str) -> BinaryIO:
    return open(Path(settings.MEDIA_ROOT) / storage_path, "rb")


# A file rewritten this recently belongs to an upload in flight (same content, same path): keep it.
IN_FLIGHT_SECONDS = 600


def remove_stored_file(storage_path: str) -> int | None:
    """Remove a stored file no row needs any more; return the bytes freed (0 if it was absent).

    Returns None when the file was kept because it is being uploaded again.

    Files are content-addressed, so an upload of the same bytes may be writing this very path
    while we remove it. The file is first renamed aside (atomic); if it was written within
    IN_FLIGHT_SECONDS it is put back, otherwise unlinked. The age is judged by the filesystem's
    own clock: the rename stamps the directory's modification time.
    """
    final = Path(settings.MEDIA_ROOT) / storage_path
    aside = final.with_name(f".removing-{final.name}")
    try:
        os.rename(final, aside)
    except FileNotFoundError:
        return 0
    stat = os.stat(aside)
    if os.stat(final.parent).st_mtime - stat.st_mtime < IN_FLIGHT_SECONDS:
        os.replace(aside, final)  # same content whichever copy wins
        return None
    os.unlink(aside)
    return stat.st_size
