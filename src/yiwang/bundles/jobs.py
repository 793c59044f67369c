"""Background jobs of 一件事 bundles: passing a member's result on to the members waiting for it."""

from yiwang.bundles import services
from yiwang.jobs.registry import handler


# Not atomic: each fetch keeps its own audit row. Running it again skips the members that
# already took the result (their material is no longer owed).
@handler("bundles.pass_result_on", atomic=False)
def pass_result_on(*, case_id: int) -> dict:
    passed = services.pass_result_on(case_id)
    if passed.retry_later:
        raise services.ResultNotPassedOn(passed.retry_later)
    return {"attached_to_cases": [m.case_id for m in passed.attached], "not_passed_on": passed.refused}
