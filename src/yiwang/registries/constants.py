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
