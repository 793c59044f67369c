"""Choices, limits and error codes of data sharing (免交)."""

from django.utils.translation import gettext_lazy as _

OUTCOME_OK = "ok"
OUTCOME_NOT_FOUND = "not_found"
OUTCOME_UNAVAILABLE = "unavailable"
OUTCOME_MALFORMED = "malformed"
OUTCOME_REFUSED = "refused"
# Not a fetch: a member of staff read a record already fetched into a case (the case page shows it).
OUTCOME_VIEWED = "viewed"
OUTCOMES = [
    (OUTCOME_OK, _("调取成功")),
    (OUTCOME_NOT_FOUND, _("无记录")),
    (OUTCOME_UNAVAILABLE, _("数据源不可用")),
    (OUTCOME_MALFORMED, _("数据格式错误")),
    (OUTCOME_REFUSED, _("数据源拒绝")),
    (OUTCOME_VIEWED, _("工作人员查阅")),
]
# `DataAccess.detail` of a staff member's reading: on the case page, or by downloading the record.
VIEWED_ON_CASE_PAGE = "case_page"
VIEWED_BY_DOWNLOAD = "download"

# Self queries (本人查询): a resident reads their OWN record at a kiosk, on the web or on the phone,
# with no case. `DataAccess.channel` and `Consent.channel` say where; "" is a fetch into a case.
CHANNEL_KIOSK = "kiosk"
CHANNEL_WEB = "web"
CHANNEL_APP = "app"
CHANNELS = [
    (CHANNEL_KIOSK, _("自助终端")),
    (CHANNEL_WEB, _("网上办事大厅")),
    (CHANNEL_APP, _("手机")),
]
CHANNEL_MAX_LENGTH = 12
KIOSK_CODE_MAX_LENGTH = 20  # kiosks.models.Kiosk.code

# The records a person may look up about themself (no case, no material): scope -> English name.
# The Chinese names are the catalogue's (`catalog.selectors.record_kind_names`).
SELF_QUERY_SCOPES = {
    "medical_insurance:annual_payments": "Annual medical insurance payments",
    "social_insurance:pension_statement": "Pension insurance statement",
    "social_insurance:contribution_history": "Social insurance contribution history",
    "social_insurance:contribution_record": "Social insurance enrolment and contribution record",
    "medical_insurance:enrolment": "Basic medical insurance enrolment",
    "housing_fund:account": "Housing provident fund account",
}
# English names of the registries that hold them (the catalogue names registries in Chinese only).
REGISTRY_NAMES_EN = {
    "medical_insurance": "Medical security",
    "social_insurance": "Social insurance",
    "housing_fund": "Housing provident fund",
}

SUBJECT_PERSON = "person"
SUBJECT_COMPANY = "company"

# Registries that hold records of natural persons only: an enterprise account cannot consent for
# a person (e.g. its legal representative), so it uploads those materials instead.
PERSON_ONLY_REGISTRIES = frozenset(
    {"household", "marriage", "disability", "education", "civil_assistance", "veterans", "medical_insurance", "animal_health"}
)

# A consent is valid this long unless withdrawn (long enough to finish a draft and a supplement).
CONSENT_VALID_DAYS = 30
PURPOSE_MAX_LENGTH = 200

# HTTP adapter defaults (settings may override: YIWANG_REGISTRY_CONNECT_TIMEOUT, ..._READ_TIMEOUT,
# YIWANG_REGISTRY_BREAKER_FAILURES, YIWANG_REGISTRY_BREAKER_OPEN_SECONDS).
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
BREAKER_FAILURES = 3
BREAKER_OPEN_SECONDS = 30.0
MAX_ANSWER_BYTES = 1024 * 1024


ERROR_CONSENT_REQUIRED = "consent_required"
ERROR_UNAVAILABLE = "registry_unavailable"
ERROR_MALFORMED = "registry_malformed"
ERROR_REFUSED = "registry_refused"
ERROR_NOT_FOUND = "record_not_found"
ERROR_NOT_SELF_QUERYABLE = "scope_not_self_queryable"
