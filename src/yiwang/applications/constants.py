"""Case states after the national 办件 state codes, and the notices they produce."""

DRAFT = "draft"
RECEIVED = "received"  # 已申报/收件，待受理
WITHDRAWN = "withdrawn"  # 撤回
ACCEPTED = "accepted"  # 受理（审查中）
NOT_ACCEPTED = "not_accepted"  # 不予受理
SUPPLEMENT_REQUESTED = "supplement_requested"  # 补正（计时暂停）
SPECIAL_PROCEDURE = "special_procedure"  # 特别程序（计时暂停）
APPROVED = "approved"  # 准予许可/办结
APPROVED_MATERIALS_OWED = "approved_materials_owed"  # 容缺办结，材料后补
DENIED = "denied"  # 不予许可
RESULT_ISSUED = "result_issued"  # 出证
DELIVERED = "delivered"  # 送达

STATES = [
    (DRAFT, "草稿"),
    (RECEIVED, "已申报"),
    (WITHDRAWN, "已撤回"),
    (ACCEPTED, "已受理"),
    (NOT_ACCEPTED, "不予受理"),
    (SUPPLEMENT_REQUESTED, "待补正"),
    (SPECIAL_PROCEDURE, "特别程序"),
    (APPROVED, "准予许可"),
    (APPROVED_MATERIALS_OWED, "容缺办结"),
    (DENIED, "不予许可"),
    (RESULT_ISSUED, "已出证"),
    (DELIVERED, "已送达"),
]
STATES_EN = {
    DRAFT: "Draft",
    RECEIVED: "Received",
    WITHDRAWN: "Withdrawn",
    ACCEPTED: "Accepted",
    NOT_ACCEPTED: "Not accepted",
    SUPPLEMENT_REQUESTED: "Supplement requested",
    SPECIAL_PROCEDURE: "Special procedure",
    APPROVED: "Approved",
    APPROVED_MATERIALS_OWED: "Approved, materials owed",
    DENIED: "Denied",
    RESULT_ISSUED: "Result issued",
    DELIVERED: "Delivered",
}
# Where an application came in (the case), or where an action was taken (each event).
CHANNEL_ONLINE = "online"  # the portal or the API, by the applicant
CHANNEL_WINDOW = "window"  # at a hall counter, by a window officer for the person in front of them
CHANNEL_KIOSK = "kiosk"
CHANNEL_MOBILE = "mobile"
CHANNEL_PARTNER = "partner"  # a partner region's platform (跨省通办)
CHANNEL_BACK_OFFICE = "back_office"  # a department's officer at their workbench (events only)
CHANNEL_SYSTEM = "system"  # scheduled or follow-on work (events only)
CASE_CHANNELS = [
    (CHANNEL_ONLINE, "网上申报"),
    (CHANNEL_WINDOW, "窗口受理"),
    (CHANNEL_KIOSK, "自助终端"),
    (CHANNEL_MOBILE, "移动端"),
    (CHANNEL_PARTNER, "异地代收"),
]
EVENT_CHANNELS = CASE_CHANNELS + [(CHANNEL_BACK_OFFICE, "后台审批"), (CHANNEL_SYSTEM, "系统")]
CHANNELS_EN = {CHANNEL_ONLINE: "Online", CHANNEL_WINDOW: "At a window", CHANNEL_KIOSK: "Kiosk", CHANNEL_MOBILE: "Mobile",
               CHANNEL_PARTNER: "Partner region", CHANNEL_BACK_OFFICE: "Back office", CHANNEL_SYSTEM: "System"}

FINAL_STATES = {WITHDRAWN, NOT_ACCEPTED, DENIED, DELIVERED}
PAUSED_STATES = {SUPPLEMENT_REQUESTED, SPECIAL_PROCEDURE}

NOTICE_ACCEPTANCE = "acceptance"  # 受理通知书
NOTICE_SUPPLEMENT = "supplement"  # 补正材料通知书
NOTICE_NON_ACCEPTANCE = "non_acceptance"  # 不予受理通知书
NOTICE_SPECIAL_PROCEDURE = "special_procedure"  # 特别程序告知书
NOTICE_APPROVAL = "approval"  # 准予许可决定书
NOTICE_DENIAL = "denial"  # 不予许可决定书
NOTICE_RESULT = "result"  # 办结通知
NOTICE_RECEIPT = "receipt"  # 收件回执
NOTICE_KINDS = [
    (NOTICE_RECEIPT, "收件回执"),
    (NOTICE_ACCEPTANCE, "受理通知书"),
    (NOTICE_SUPPLEMENT, "补正材料通知书"),
    (NOTICE_NON_ACCEPTANCE, "不予受理通知书"),
    (NOTICE_SPECIAL_PROCEDURE, "特别程序告知书"),
    (NOTICE_APPROVAL, "准予许可决定书"),
    (NOTICE_DENIAL, "不予许可决定书"),
    (NOTICE_RESULT, "办结通知书"),
]

SOURCE_UPLOAD = "upload"
SOURCE_REGISTRY = "registry"
MATERIAL_SOURCES = [(SOURCE_UPLOAD, "申请人上传"), (SOURCE_REGISTRY, "共享数据调取")]
