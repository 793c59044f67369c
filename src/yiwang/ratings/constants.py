"""Channels a rating comes through, and the settings' defaults."""

from django.utils.translation import gettext_lazy as _

from yiwang.accounts import constants as roles
from yiwang.applications import constants as case_states

CHANNEL_WEB = "web"  # the case page on the portal
CHANNEL_MOBILE = "mobile"
CHANNEL_QR = "qr"  # a QR code on the acceptance notice or on the printed ticket
CHANNEL_KIOSK = "kiosk"
CHANNEL_EVALUATOR = "evaluator"  # the tablet facing the resident at the window (评价器)
CHANNEL_DEFAULT = "default"  # no rating within the grace period: counted 满意 (默认好评)
CHANNELS = [
    (CHANNEL_WEB, _("网上办事页面")),
    (CHANNEL_MOBILE, _("移动端")),
    (CHANNEL_QR, _("扫码评价")),
    (CHANNEL_KIOSK, _("自助终端")),
    (CHANNEL_EVALUATOR, _("窗口评价器")),
    (CHANNEL_DEFAULT, _("默认好评")),
]
# Channels a person may name when rating through the portal or the API (the others are set by
# the platform: the evaluator's device, the default job).
PERSON_CHANNELS = frozenset({CHANNEL_WEB, CHANNEL_MOBILE, CHANNEL_QR, CHANNEL_KIOSK})

SUBJECT_CASE = "case"  # 一事一评
SUBJECT_VISIT = "visit"  # 一次一评 (a hall ticket: 一号一评)
SUBJECTS = [(SUBJECT_CASE, _("办件评价")), (SUBJECT_VISIT, _("现场服务评价"))]

APPEAL_PENDING, APPEAL_UPHELD, APPEAL_REJECTED = "pending", "upheld", "rejected"
APPEAL_STATES = [(APPEAL_PENDING, _("待复核")), (APPEAL_UPHELD, _("申诉成立")), (APPEAL_REJECTED, _("申诉不成立"))]

FORWARD_PENDING, FORWARD_SENT = "pending", "sent"

# A case may be rated once it has ended: decided (result issued or delivered) or refused.
RATEABLE_CASE_STATES = frozenset({case_states.RESULT_ISSUED, case_states.DELIVERED, case_states.DENIED,
                                  case_states.NOT_ACCEPTED})
# Staff who follow up bad ratings in their departments (auditors read, they do not act).
ACTING_ROLES = (roles.ROLE_WINDOW_OFFICER, roles.ROLE_APPROVER, roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR)
REVIEWER_ROLES = (roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR)
MAX_COMMENT = 1000
MAX_TEXT = 2000
