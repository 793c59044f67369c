"""Message kinds, channels and delivery states (GOV.UK Notify's vocabulary)."""

from django.utils.translation import gettext_lazy as _

# What a message is about. Essential kinds (补正, 不予受理, results) cannot be switched off.
RECEIVED = "received"
ACCEPTED = "accepted"
SUPPLEMENT_REQUESTED = "supplement_requested"
NOT_ACCEPTED = "not_accepted"
APPROVED = "approved"
DENIED = "denied"
RESULT_READY = "result_ready"
PICKUP_READY = "pickup_ready"
DEADLINE_APPROACHING = "deadline_approaching"
DATA_ACCESSED = "data_accessed"
APPOINTMENT_MISSED = "appointment_missed"
BOOKING_SUSPENDED = "booking_suspended"
RATING_REPLIED = "rating_replied"  # the department answered a bad rating
RECTIFICATION_ASSIGNED = "rectification_assigned"  # staff: a bad rating to follow up
RECTIFICATION_OVERDUE = "rectification_overdue"  # staff: a rectification past its deadline
KIOSK_SILENT = "kiosk_silent"  # hall managers: a kiosk stopped sending heartbeats

KINDS = [
    (RECEIVED, _("已收到申请")),
    (ACCEPTED, _("已受理")),
    (SUPPLEMENT_REQUESTED, _("需补正材料")),
    (NOT_ACCEPTED, _("不予受理")),
    (APPROVED, _("审批通过")),
    (DENIED, _("不予许可")),
    (RESULT_READY, _("办理结果已出")),
    (PICKUP_READY, _("可领取结果")),
    (DEADLINE_APPROACHING, _("办件临近期限")),
    (DATA_ACCESSED, _("数据被调取")),
    (APPOINTMENT_MISSED, _("预约爽约提醒")),
    (BOOKING_SUSPENDED, _("暂停网上预约")),
    (RATING_REPLIED, _("差评处理答复")),
    (RECTIFICATION_ASSIGNED, _("差评整改任务")),
    (RECTIFICATION_OVERDUE, _("差评整改超期")),
    (KIOSK_SILENT, _("自助终端失联")),
]
ESSENTIAL_KINDS = frozenset({SUPPLEMENT_REQUESTED, NOT_ACCEPTED, DENIED, RESULT_READY, PICKUP_READY})

# Case transitions that tell the applicant something (others, like "review", stay internal).
CASE_ACTION_KINDS = {
    "submit": RECEIVED,
    "accept": ACCEPTED,
    "request_supplement": SUPPLEMENT_REQUESTED,
    "reject": NOT_ACCEPTED,
    "approve": APPROVED,
    "deny": DENIED,
    "issue_result": RESULT_READY,
}

CHANNEL_SMS = "sms"
CHANNEL_EMAIL = "email"
CHANNELS = [(CHANNEL_SMS, _("短信")), (CHANNEL_EMAIL, _("电子邮件"))]

# Delivery states.
CREATED = "created"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
TEMPORARY_FAILURE = "temporary_failure"
PERMANENT_FAILURE = "permanent_failure"
TECHNICAL_FAILURE = "technical_failure"
VALIDATION_FAILED = "validation_failed"
RATE_LIMITED = "rate_limited"
STATES = [
    (CREATED, "已创建"),
    (SENDING, "发送中"),
    (SENT, "已发送"),
    (DELIVERED, "已送达"),
    (TEMPORARY_FAILURE, "暂时失败"),
    (PERMANENT_FAILURE, "永久失败"),
    (TECHNICAL_FAILURE, "技术故障"),
    (VALIDATION_FAILED, "校验失败"),
    (RATE_LIMITED, "超出频率限制"),
]
FINAL_STATES = frozenset({DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE, TECHNICAL_FAILURE, VALIDATION_FAILED, RATE_LIMITED})
# A receipt may move a delivery forward from these (a receipt can arrive before the send is recorded).
AWAITING_RECEIPT = frozenset({SENDING, SENT})

LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
