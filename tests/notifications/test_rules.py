"""Message texts and gateway choice (pure)."""

import random

import pytest

from yiwang.notifications import constants as c
from yiwang.notifications import failover, texts

CASE_VARIABLES = {"item_name", "item_name_en", "case_number", "due", "result_name", "result_name_en", "licence_number",
                  "place", "opinion", "materials", "materials_en"}
VARIABLES = {
    **{kind: CASE_VARIABLES for kind in c.CASE_ACTION_KINDS.values()},
    c.PICKUP_READY: (CASE_VARIABLES - {"opinion", "materials", "materials_en"}) | {"place_en"},  # sources.outgoing_for_pickup_ready
    c.DEADLINE_APPROACHING: CASE_VARIABLES | {"level", "level_en"},
    c.DATA_ACCESSED: {"record_name", "at", "accessor", "case_label", "purpose", "purpose_en"},
    # hall.services._apply_booking_rule_for
    c.APPOINTMENT_MISSED: {"site", "site_en", "group", "group_en", "day", "start", "period", "limit"},
    c.BOOKING_SUSPENDED: {"period", "until"},
    # ratings.selectors.message_variables
    **{kind: {"subject", "subject_en", "level", "level_en", "due", "department", "department_en", "reply", "outcome",
              "outcome_en"} for kind in (c.RATING_REPLIED, c.RECTIFICATION_ASSIGNED, c.RECTIFICATION_OVERDUE)},
    c.KIOSK_SILENT: {"kiosk", "site", "site_en", "minutes"},  # kiosks.services.alert_silent_kiosks
}


@pytest.mark.parametrize("kind", [kind for kind, _ in c.KINDS])
def test_every_kind_has_both_languages_using_only_what_its_source_provides(kind):
    assert set(texts.TEXTS[kind]) == {"zh-hans", "en"}
    for language in ("zh-hans", "en"):
        title, body = texts.TEXTS[kind][language]
        assert texts.variables_of(title) | texts.variables_of(body) <= VARIABLES[kind]


def test_rendering_fills_the_variables_in_the_recipients_language():
    variables = {"item_name": "个体工商户设立登记", "item_name_en": "Registration of an individual business",
                 "case_number": "310120SCJG01000120260310000001", "materials": "经营场所证明、身份证件",
                 "materials_en": "Proof of the premises, identity document"}
    zh = texts.render(c.SUPPLEMENT_REQUESTED, "zh-hans", variables)
    assert zh.title == "请补正材料"
    assert zh.body == ("您申请的“个体工商户设立登记”（310120SCJG01000120260310000001）需补正以下材料："
                       "经营场所证明、身份证件。请登录一网通办上传。")
    en = texts.render(c.SUPPLEMENT_REQUESTED, "en", variables)
    assert en.body == ("Your application for Registration of an individual business (310120SCJG01000120260310000001) needs these "
                       "materials: Proof of the premises, identity document. Please sign in and upload them.")
    assert texts.sms_text("zh-hans", zh.body).startswith("【奉贤一网通办】您申请的")


def test_a_text_naming_an_unknown_variable_is_refused():
    bad = {c.RECEIVED: {"zh-hans": ("已收到", "办件{case_nubmer}已提交"), "en": ("Received", "Case {case_number}")}}
    with pytest.raises(texts.UnknownVariable) as refused:
        texts.render(c.RECEIVED, "zh-hans", {"case_number": "X"}, texts=bad)
    assert refused.value.name == "case_nubmer"


def test_weighted_choice_follows_the_weights():
    rng = random.Random(3)
    picks = [failover.choose({"a": 60, "b": 40}, rng=rng) for _ in range(10_000)]
    assert 5800 <= picks.count("a") <= 6200
    assert failover.choose({"a": 60, "b": 40}, exclude=frozenset({"a"}), rng=rng) == "b"
    assert failover.choose({"a": 0, "b": 0}, rng=random.Random(1)) in {"a", "b"}  # all at zero: still try one
    assert failover.choose({"a": 60}, exclude=frozenset({"a"})) is None


def test_errors_move_weight_to_the_healthy_gateway_and_it_drifts_back():
    assert failover.after_errors({"a": 60, "b": 40}, {"a": 5}) == {"a": 50, "b": 50}
    assert failover.after_errors({"a": 60, "b": 40}, {"a": 4}) == {"a": 60, "b": 40}  # under the threshold
    assert failover.after_errors({"a": 60, "b": 40}, {"a": 9, "b": 7}) == {"a": 60, "b": 40}  # nobody healthy
    assert failover.after_errors({"a": 5, "b": 95}, {"a": 6}) == {"a": 0, "b": 100}
    assert failover.after_errors({"a": 50, "b": 30, "c": 20}, {"a": 5}) == {"a": 40, "b": 35, "c": 25}
    assert failover.drift_back({"a": 30, "b": 70}, {"a": 60, "b": 40}) == {"a": 40, "b": 60}
    assert failover.drift_back({"a": 55, "b": 45}, {"a": 60, "b": 40}) == {"a": 60, "b": 40}
