"""Kiosk status codes (as self-service-terminal runtimes report them) and transaction kinds."""

from yiwang.kiosks.drivers import BUSY, DISABLED, ERROR, INITIALISING, NORMAL, WARNING

STATUS_LABELS = {
    INITIALISING: ("初始化中", "Starting"), NORMAL: ("正常", "Normal"), WARNING: ("警告", "Warning"),
    ERROR: ("故障", "Fault"), BUSY: ("忙", "Busy"), DISABLED: ("停用", "Disabled"),
}
PRINTER_DETAILS = {"": ("", ""), "paper_low": ("纸将用完", "Paper low"), "paper_out": ("缺纸", "Out of paper"),
                   "offline": ("未连接", "Offline")}
TRANSACTION_KINDS = {"query": ("查询", "Record query"), "ticket": ("取号", "Hall ticket"), "apply": ("申报", "Application"),
                     "status": ("办件查询", "Case status"), "print": ("打印", "Printing")}
OUTCOMES = ("done", "cancelled", "failed")

