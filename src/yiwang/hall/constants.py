"""States and kinds of the service hall."""

from django.utils.translation import gettext_lazy as _

SITE_DISTRICT = "district"
SITE_STREET = "street"
SITE_KINDS = [(SITE_DISTRICT, "区行政服务中心"), (SITE_STREET, "街镇社区事务受理服务中心")]

WINDOW_COMPREHENSIVE = "comprehensive"
WINDOW_DEPARTMENT = "department"
WINDOW_OUTPUT = "output"
WINDOW_CONSULTATION = "consultation"
WINDOW_KINDS = [
    (WINDOW_COMPREHENSIVE, "综合窗口"),
    (WINDOW_DEPARTMENT, "部门窗口"),
    (WINDOW_OUTPUT, "统一出件窗口"),
    (WINDOW_CONSULTATION, "咨询窗口"),
]
CALLING_WINDOW_KINDS = {WINDOW_COMPREHENSIVE, WINDOW_DEPARTMENT, WINDOW_CONSULTATION, WINDOW_OUTPUT}

WAITING = "waiting"
CALLED = "called"
DONE = "done"
NO_SHOW = "no_show"
HELD = "held"  # 暂挂: the person stepped away (to fetch a document); the window serves others meanwhile
TICKET_STATES = [(WAITING, _("等候中")), (CALLED, _("已叫号")), (HELD, _("暂挂")), (DONE, _("已办结")), (NO_SHOW, _("过号"))]

PRIORITY_GREEN = "green"  # 绿色通道: elderly and disabled residents
PRIORITY_APPOINTMENT = "appointment"
PRIORITY_NORMAL = "normal"
PRIORITIES = [(PRIORITY_GREEN, _("绿色通道")), (PRIORITY_APPOINTMENT, _("预约")), (PRIORITY_NORMAL, _("普通"))]

CHANNEL_MACHINE = "machine"
CHANNEL_PHONE = "phone"
CHANNEL_WINDOW = "window"
CHANNEL_KIOSK = "kiosk"
TICKET_CHANNELS = [(CHANNEL_MACHINE, "取号机"), (CHANNEL_PHONE, "手机取号"), (CHANNEL_WINDOW, "窗口转办"), (CHANNEL_KIOSK, "自助终端")]

OUTCOME_ACCEPTED = "accepted"
OUTCOME_CONSULTATION = "consultation"
OUTCOME_MISSING = "told_missing"
OUTCOMES = [(OUTCOME_ACCEPTED, _("已受理")), (OUTCOME_CONSULTATION, _("仅咨询")), (OUTCOME_MISSING, _("一次告知材料"))]

DEVICE_TICKET_MACHINE = "ticket_machine"
DEVICE_SCREEN = "screen"
DEVICE_EVALUATOR = "evaluator"  # the rating tablet facing the resident at one window (评价器)
DEVICE_KINDS = [(DEVICE_TICKET_MACHINE, "取号机"), (DEVICE_SCREEN, "叫号屏"), (DEVICE_EVALUATOR, "窗口评价器")]

# Results leave through the unified output counter (统一出件): collected, mailed or electronic only.
PICKUP = "pickup"
MAIL = "mail"
ELECTRONIC = "electronic"
HANDOVER_METHODS = [(PICKUP, _("窗口领取")), (MAIL, _("邮寄送达")), (ELECTRONIC, _("仅电子证照"))]
AWAITING = "awaiting"
HANDED_OVER = "handed_over"
MAILED = "mailed"
HANDOVER_STATES = [(AWAITING, _("待领取")), (HANDED_OVER, _("已领取")), (MAILED, _("已寄出")), (ELECTRONIC, _("电子送达"))]

# A ticket that missed its call may be put back in the queue within this many minutes.
REQUEUE_MINUTES = 30

BOOKED = "booked"
CANCELLED = "cancelled"
CHECKED_IN = "checked_in"
MISSED = "missed"  # 爽约: not checked in by the end of the grace period
APPOINTMENT_STATES = [(BOOKED, _("已预约")), (CANCELLED, _("已取消")), (CHECKED_IN, _("已签到")), (MISSED, _("爽约"))]
