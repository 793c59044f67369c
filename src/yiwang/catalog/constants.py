"""Code tables of the national implementation list (实施清单), as Django choices."""

ITEM_TYPE_LICENSING = "01"  # 行政许可: decisions are licensing decisions (准予/不予许可)
ITEM_TYPES = [
    ("01", "行政许可"),
    ("05", "行政给付"),
    ("07", "行政确认"),
    ("08", "行政奖励"),
    ("09", "行政裁决"),
    ("20", "其他行政权力"),
    ("21", "公共服务"),
]
MATERIAL_SOURCES = [("10", "申请人自备"), ("20", "政府部门核发"), ("99", "其他")]
NECESSITY_REQUIRED = "1"
NECESSITY_OPTIONAL = "2"
NECESSITY_DEFERRABLE = "3"  # 容缺后补: may be supplied after acceptance
MATERIAL_NECESSITIES = [(NECESSITY_REQUIRED, "必要"), (NECESSITY_OPTIONAL, "非必要"), (NECESSITY_DEFERRABLE, "容缺后补")]
MATERIAL_KINDS = [("certificate", "证件证书证明"), ("form", "申请表格文书"), ("other", "其他")]
ONLINE_DEPTHS = [(1, "Ⅰ级"), (2, "Ⅱ级"), (3, "Ⅲ级"), (4, "Ⅳ级（全程网办）")]
RESULT_TYPES = [("certificate", "证照"), ("approval", "批文"), ("proof", "证明文件"), ("none", "无")]
CASE_TYPE_INSTANT = "instant"
CASE_TYPE_PROMISE = "promise"
CASE_TYPES = [(CASE_TYPE_INSTANT, "即办件"), (CASE_TYPE_PROMISE, "承诺件")]
WORKING_DAY = "working_day"
CALENDAR_DAY = "calendar_day"
TIME_UNITS = [(WORKING_DAY, "工作日"), (CALENDAR_DAY, "自然日")]
CHANNELS = [
    ("online", "网上办理"),
    ("window", "窗口办理"),
    ("kiosk", "自助终端"),
    ("mobile", "移动端（随申办）"),
    ("express", "快递申请及寄递"),
    ("appointment", "预约办理"),
]
SERVICE_OBJECTS = [("natural_person", "自然人"), ("enterprise", "企业法人"), ("organization", "其他组织")]
CROSS_REGION_MODES = [("全程网办", "全程网办"), ("异地代收代办", "异地代收代办")]

# Roles that may act at each step of an item's approval flow.
ROLE_WINDOW_OFFICER = "window_officer"
ROLE_APPROVER = "approver"
