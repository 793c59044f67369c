"""Chinese labels of the standard code tables, marked so they get English translations.

Code tables come from the catalogue file and are shown through `gettext`; listing the
standard labels here lets `makemessages` collect them (a district's own labels stay Chinese
until translated).
"""

from django.utils.translation import gettext_noop

STANDARD_LABELS = (
    # item_type
    gettext_noop("行政许可"),
    gettext_noop("行政给付"),
    gettext_noop("行政确认"),
    gettext_noop("行政奖励"),
    gettext_noop("行政裁决"),
    gettext_noop("其他行政权力"),
    gettext_noop("公共服务"),
    # material_source
    gettext_noop("申请人自备"),
    gettext_noop("政府部门核发"),
    gettext_noop("其他"),
    # material_necessity
    gettext_noop("必要"),
    gettext_noop("非必要"),
    gettext_noop("容缺后补"),
    # online_depth
    gettext_noop("Ⅰ级：网上咨询、办事指南和表格下载"),
    gettext_noop("Ⅱ级：网上预约、在线填报"),
    gettext_noop("Ⅲ级：网上预审、网上受理（到现场不超过一次）"),
    gettext_noop("全程网办"),
    # material_kind
    gettext_noop("证件证书证明"),
    gettext_noop("申请表格文书"),
    # result_type
    gettext_noop("证照"),
    gettext_noop("批文"),
    gettext_noop("证明文件"),
    gettext_noop("无"),
    # case_type
    gettext_noop("即办件"),
    gettext_noop("承诺件"),
    # time_unit
    gettext_noop("工作日"),
    gettext_noop("自然日"),
    # channel
    gettext_noop("网上办理"),
    gettext_noop("窗口办理"),
    gettext_noop("自助终端"),
    gettext_noop("移动端（随申办）"),
    gettext_noop("快递申请及寄递"),
    gettext_noop("预约办理"),
    # service_object
    gettext_noop("自然人"),
    gettext_noop("企业法人"),
    gettext_noop("其他组织"),
    # cross_region_mode
    gettext_noop("异地代收代办"),
)
