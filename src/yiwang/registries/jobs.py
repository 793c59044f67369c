"""Background jobs of data sharing."""

from yiwang.jobs.registry import handler
from yiwang.registries import services


@handler("registries.report_withdrawal", max_attempts=12, atomic=False)
def report_withdrawal(*, consent_id: int) -> None:
    services.report_withdrawal(consent_id=consent_id)
