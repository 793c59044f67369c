"""本人查询: a resident reads their own records (no case) from the real registry process; the seed's
new record kinds, the audit row, refusals, the my-records page and the receipt lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import DEFAULT_NOW
from tests.factories import make_staff
from tests.registries.conftest import LISI_ID, ZHANGSAN_ID
from yiwang.core.errors import DomainError
from yiwang.jobs.models import Job
from yiwang.registries.models import Consent, DataAccess
from yiwang.registries.record_display import receipt_lines
from yiwang.registries.selectors import accesses_for_subject, active_consent_for, consents_of, self_query_kinds
from yiwang.registries.services import query_own_record
from yiwang.registry_service.server import load_seed

pytestmark = pytest.mark.django_db

XIAOMING_ID = "310120201905010014"  # 张小明, a child: medical insurance only, no pension statement
WANGFANG_ID = "310120199105120020"
HTMX = {"HTTP_HX_REQUEST": "true"}
ISSUER_SI = "上海市社会保险事业管理中心"
ISSUER_MI = "上海市医疗保险事业管理中心"


@pytest.fixture
def xiaoming(db):
    from yiwang.accounts.models import User

    return User.objects.create_user(username="xm", password="Passw0rd!2026", kind="resident", real_name="张小明",
                                    id_number=XIAOMING_ID)


def _ask(user, scope, **kwargs):
    return query_own_record(**{"person": user, "scope": scope, "actor": user, "channel": "kiosk", "kiosk_code": "K01",
                               **kwargs})


def _refusal(user, scope, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        _ask(user, scope, **kwargs)
    return caught.value


# -- the three new kinds, exactly, for 张三 --------------------------------------------------------


def test_annual_medical_payments_of_zhangsan(catalog, registry, zhangsan):
    envelope = _ask(zhangsan, "medical_insurance:annual_payments")
    record = envelope.pop("record")
    assert envelope == {
        "registry": "medical_insurance", "kind": "annual_payments",
        "record_name": "年度医保缴费明细", "record_name_en": "Annual medical insurance payments",
        "registry_name": "医疗保障信息", "registry_name_en": "Medical security",
        "issuer": ISSUER_MI, "record_id": "YBZX-AP-2025-07123X", "issued_at": "2026-01-05T09:00:00+08:00",
        "fetched_at": DEFAULT_NOW.isoformat(), "source": "registry",
    }
    payments = record.pop("payments")
    assert record == {
        "name": "张三", "scheme": "职工基本医疗保险", "year": 2025, "employer": "上海奉贤示例餐饮有限公司",
        "months_paid": 12, "months_owed": 0, "personal_total": "2016.00", "employer_total": "9072.00",
        "paid_total": "11088.00", "owed_total": "0.00", "as_of": "2025-12-31",
    }
    assert [row["month"] for row in payments] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert payments[0] == {"month": "2025-01", "base": "8200.00", "personal_amount": "164.00",
                           "employer_amount": "738.00", "status": "已缴"}
    assert payments[11] == {"month": "2025-12", "base": "8600.00", "personal_amount": "172.00",
                            "employer_amount": "774.00", "status": "已缴"}


def test_pension_statement_of_zhangsan(catalog, registry, zhangsan):
    envelope = _ask(zhangsan, "social_insurance:pension_statement")
    assert (envelope["record_name"], envelope["record_name_en"]) == ("养老保险个人权益记录", "Pension insurance statement")
    assert (envelope["issuer"], envelope["record_id"]) == (ISSUER_SI, "RSJSB-PS-2025-07123X")
    assert envelope["record"] == {
        "name": "张三", "statement_year": 2025, "insured_since": "2016-01", "cumulative_months": 120,
        "opening_balance": "62350.40", "personal_contributions": "8064.00", "interest_credited": "1633.58",
        "account_balance": "72047.98", "pension_status": "参保缴费", "projected_monthly_pension": "4860.00",
        "projected_retirement": "2053-03", "as_of": "2025-12-31",
        "notice": "预计月养老金按现行政策和当前缴费水平测算，仅供参考。",
    }


def test_contribution_history_of_zhangsan(catalog, registry, zhangsan):
    envelope = _ask(zhangsan, "social_insurance:contribution_history")
    assert (envelope["record_name"], envelope["record_id"]) == ("社会保险缴费记录", "RSJSB-CH-07123X")
    record = envelope["record"]
    everything = ["养老", "医疗", "失业", "工伤", "生育"]
    assert record["periods"] == [
        {"period": "2016-01至2018-12", "employer": "上海南桥示例商贸有限公司", "insurance_types": everything,
         "base": "4500.00", "months": 36, "personal_amount": "17010.00", "employer_amount": "42120.00", "status": "已缴"},
        {"period": "2019-01至2022-06", "employer": "上海奉贤示例餐饮有限公司", "insurance_types": everything,
         "base": "6000.00", "months": 42, "personal_amount": "26460.00", "employer_amount": "65520.00", "status": "已缴"},
        {"period": "2022-07至2024-12", "employer": "上海奉贤示例餐饮有限公司", "insurance_types": everything,
         "base": "7400.00", "months": 30, "personal_amount": "23310.00", "employer_amount": "57720.00", "status": "已缴"},
        {"period": "2025-01至2025-06", "employer": "上海奉贤示例餐饮有限公司", "insurance_types": everything,
         "base": "8200.00", "months": 6, "personal_amount": "5166.00", "employer_amount": "12792.00", "status": "已缴"},
        {"period": "2025-07至2025-12", "employer": "上海奉贤示例餐饮有限公司", "insurance_types": everything,
         "base": "8600.00", "months": 6, "personal_amount": "5418.00", "employer_amount": "13416.00", "status": "已缴"},
    ]
    assert {k: v for k, v in record.items() if k != "periods"} == {
        "name": "张三", "from_month": "2016-01", "to_month": "2025-12", "months_paid": 120, "months_owed": 0,
        "personal_total": "77364.00", "employer_total": "191568.00", "as_of": "2025-12-31",
    }


def test_an_owed_month_is_listed_and_left_out_of_the_totals(catalog, registry, lisi):
    record = _ask(lisi, "medical_insurance:annual_payments")["record"]
    assert record["payments"][10] == {"month": "2025-11", "base": "7310.00", "personal_amount": "840.65",
                                      "employer_amount": "0.00", "status": "欠缴"}
    assert (record["months_paid"], record["months_owed"], record["paid_total"], record["owed_total"]) == (
        11, 1, "9247.15", "840.65")


def _money(value) -> Decimal:
    return Decimal(value)


def test_the_seeded_amounts_add_up():
    """Totals are the sums of their rows, balances carry forward, and the three kinds agree with each
    other and with the contribution record (months paid), for every seeded person."""
    records = {(r["kind"], r["subject"]["id"]): r["record"] for r in load_seed(None)["records"]}
    people = (ZHANGSAN_ID, WANGFANG_ID, LISI_ID)
    for kind in ("annual_payments", "pension_statement", "contribution_history"):
        assert {pid for k, pid in records if k == kind} == set(people) | ({XIAOMING_ID} if kind == "annual_payments" else set())
    for pid in (*people, XIAOMING_ID):
        payments = records[("annual_payments", pid)]
        paid = [row for row in payments["payments"] if row["status"] == "已缴"]
        owed = [row for row in payments["payments"] if row["status"] == "欠缴"]
        assert len(paid) + len(owed) == len(payments["payments"])
        personal = sum(_money(row["personal_amount"]) for row in paid)
        employer = sum(_money(row["employer_amount"]) for row in paid)
        assert _money(payments["personal_total"]) == personal
        assert _money(payments["employer_total"]) == employer
        assert _money(payments["paid_total"]) == personal + employer
        assert _money(payments["owed_total"]) == sum(_money(r["personal_amount"]) + _money(r["employer_amount"]) for r in owed)
    for pid in people:
        payments, history = records[("annual_payments", pid)], records[("contribution_history", pid)]
        pension = records[("pension_statement", pid)]
        assert (payments["months_paid"], payments["months_owed"]) == (
            len([r for r in payments["payments"] if r["status"] == "已缴"]), len([r for r in payments["payments"] if r["status"] == "欠缴"]))
        periods = history["periods"]
        paid = [p for p in periods if p["status"] == "已缴"]
        for period in periods:
            start, end = period["period"].split("至")
            (ys, ms), (ye, me) = map(int, start.split("-")), map(int, end.split("-"))
            assert period["months"] == (ye - ys) * 12 + me - ms + 1
        assert history["months_paid"] == sum(p["months"] for p in paid)
        assert history["months_owed"] == sum(p["months"] for p in periods if p["status"] == "欠缴")
        assert _money(history["personal_total"]) == sum(_money(p["personal_amount"]) for p in paid)
        assert _money(history["employer_total"]) == sum(_money(p["employer_amount"]) for p in paid)
        assert (history["from_month"], history["to_month"]) == (periods[0]["period"][:7], periods[-1]["period"][-7:])
        # the three records and the older contribution record tell the same story
        assert history["months_paid"] == pension["cumulative_months"] == records[("contribution_record", pid)]["months_paid"]
        assert pension["insured_since"] == history["from_month"]
        assert _money(pension["account_balance"]) == (
            _money(pension["opening_balance"]) + _money(pension["personal_contributions"]) + _money(pension["interest_credited"]))
        # 2025: 8% of each paid month's base goes to the personal pension account
        bases_2025 = [_money(r["base"]) for r in payments["payments"] if r["status"] == "已缴"]
        assert _money(pension["personal_contributions"]) == sum((b * Decimal("0.08")).quantize(Decimal("0.01")) for b in bases_2025)


# -- the audit, the consent, the refusals --------------------------------------------------------


def test_a_self_query_is_audited_with_its_channel_and_a_consent_of_that_one_query(catalog, registry, zhangsan):
    _ask(zhangsan, "social_insurance:pension_statement")
    access = DataAccess.objects.get()
    assert (access.accessor, access.subject, access.subject_identifier, access.case_id, access.material_position) == (
        zhangsan, zhangsan, ZHANGSAN_ID, None, None)
    assert (access.registry, access.record_kind, access.outcome, access.record_id, access.source) == (
        "social_insurance", "pension_statement", "ok", "RSJSB-PS-2025-07123X", "registry")
    assert (access.channel, access.kiosk_code, access.platform, access.detail) == ("kiosk", "K01", "yiwang-test", "")
    assert access.registry_query_id.startswith("Q")
    consent = access.consent
    assert (consent.user, consent.case_id, consent.channel, consent.purpose) == (zhangsan, None, "kiosk", "本人查询（自助终端 K01）")
    assert consent.granted_at == DEFAULT_NOW
    assert consent.expires_at == access.at == DEFAULT_NOW  # lapsed with the query
    assert active_consent_for(zhangsan, exemptible_via="social_insurance:pension_statement", case_id=None) is None
    events = Job.objects.filter(payload__event_type="data.accessed")
    assert [job.payload["data_access_id"] for job in events] == [access.pk]
    # the resident's "who looked at my data" page tells it apart from a fetch into a case
    entry = accesses_for_subject(zhangsan)[0]
    assert (entry.accessor, entry.is_self, entry.via, entry.case_label, entry.purpose, entry.record_name) == (
        "本人", True, "一网通办平台（自助终端 K01）", "本人查询", "本人查询（自助终端 K01）", "养老保险个人权益记录")
    assert [(x.case_label, x.active) for x in consents_of(zhangsan)] == [("本人查询", False)]


def test_the_person_is_told_of_a_self_query(catalog, registry, zhangsan, background):
    from yiwang.notifications.models import Message

    _ask(zhangsan, "housing_fund:account")
    background.run()
    message = Message.objects.get(recipient=zhangsan)
    assert (message.kind, message.case_id, message.link) == ("data_accessed", None, "/data-sharing/my-data/")
    assert message.body == "您的住房公积金账户及缴存信息于2026-03-10 10:00由本人调取，用于本人查询。如有疑问可在“我的数据”查看。"


def test_the_consent_purpose_is_chinese_whatever_the_language(catalog, registry, zhangsan):
    from django.utils import translation

    with translation.override("en"):
        envelope = query_own_record(person=zhangsan, scope="housing_fund:account", actor=zhangsan, channel="app")
    assert DataAccess.objects.get().consent.purpose == "本人查询（手机）"
    assert (envelope["record_name_en"], envelope["registry_name_en"]) == ("Housing provident fund account",
                                                                         "Housing provident fund")


def test_a_kiosk_acting_for_the_person_is_logged_as_the_person(catalog, registry, zhangsan):
    query_own_record(person=zhangsan, scope="medical_insurance:enrolment", actor=None, channel="kiosk", kiosk_code="K07")
    access = DataAccess.objects.get()
    assert (access.accessor, access.subject, access.kiosk_code) == (None, zhangsan, "K07")
    assert accesses_for_subject(zhangsan)[0].accessor == "本人"


def test_a_self_query_consent_never_lets_a_record_into_a_case(catalog, registry, zhangsan, frozen_clock):
    from yiwang.registries.services import grant_consent

    consent = Consent.objects.create(user=zhangsan, registry="social_insurance", record_kind="contribution_record",
                                     purpose="本人查询（网上办事大厅）", channel="web", granted_at=DEFAULT_NOW,
                                     expires_at=DEFAULT_NOW.replace(hour=11))  # as if still within its minutes
    assert active_consent_for(zhangsan, exemptible_via="social_insurance:contribution_record", case_id=None) is None
    general = grant_consent(user=zhangsan, exemptible_via="social_insurance:contribution_record", case_id=None,
                            purpose="一件事办理")
    assert general.pk != consent.pk and general.channel == ""


def test_no_pension_statement_is_404_worded_for_a_self_query(catalog, registry, xiaoming):
    error = _refusal(xiaoming, "social_insurance:pension_statement")
    assert (error.status, error.code) == (404, "record_not_found")
    assert error.message == "“社会保险信息”中没有您的“养老保险个人权益记录”。如有疑问，请向该部门咨询。"
    assert error.message_en == "The registry holds no such record of yours. If you think it should, ask the department."
    access = DataAccess.objects.get()
    assert (access.outcome, access.subject, access.case_id, access.channel, access.detail) == (
        "not_found", xiaoming, None, "kiosk", "record_not_found")
    assert not Job.objects.filter(payload__event_type="data.accessed").exists()
    # his medical payments exist: the residents' scheme, paid once for the year
    record = _ask(xiaoming, "medical_insurance:annual_payments")["record"]
    assert record["payments"] == [{"month": "2025-01", "base": None, "personal_amount": "200.00",
                                   "employer_amount": "0.00", "status": "已缴"}]


@pytest.mark.parametrize("scope", ["household:id_card", "social_insurance:retirement_approval", "nonsense", None])
def test_a_scope_not_self_queryable_is_400_and_nothing_is_asked(catalog, registry, zhangsan, scope):
    error = _refusal(zhangsan, scope)
    assert (error.status, error.code) == (400, "scope_not_self_queryable")
    assert error.message == "该记录不能由本人自助查询。"
    assert (DataAccess.objects.count(), Consent.objects.count()) == (0, 0)


def test_an_enterprise_cannot_self_query(catalog, registry, company):
    error = _refusal(company, "housing_fund:account")
    assert (error.status, error.code) == (400, "self_query_person_only")
    assert error.message == "只有个人可以查询本人的社保、医保等记录，企业账号不能查询。"
    assert (DataAccess.objects.count(), Consent.objects.count()) == (0, 0)


def test_only_the_person_or_their_kiosk_may_ask(catalog, registry, zhangsan, lisi):
    error = _refusal(zhangsan, "housing_fund:account", actor=lisi)
    assert (error.status, error.code) == (403, "own_records_only")
    error = _refusal(zhangsan, "housing_fund:account", channel="fax")
    assert (error.status, error.code) == (400, "invalid_channel")
    assert DataAccess.objects.count() == 0


def test_registry_down_is_503_and_audited_as_unavailable(catalog, registry, zhangsan):
    registry.drill("social_insurance", "error")
    error = _refusal(zhangsan, "social_insurance:contribution_history")
    assert (error.status, error.code) == (503, "registry_unavailable")
    assert error.message == "“社会保险信息”暂时无法访问，请稍后再试。"
    assert error.details == {"reason": "http_500"}
    access = DataAccess.objects.get()
    assert (access.outcome, access.detail, access.accessor, access.case_id, access.channel, access.kiosk_code) == (
        "unavailable", "http_500", zhangsan, None, "kiosk", "K01")
    # the other registries stay usable
    assert _ask(zhangsan, "housing_fund:account")["record"]["monthly_deposit"] == 1680


def test_menu_kinds_in_both_languages(catalog):
    assert self_query_kinds("zh-hans")[:3] == [
        {"scope": "medical_insurance:annual_payments", "name": "年度医保缴费明细", "registry_name": "医疗保障信息"},
        {"scope": "social_insurance:pension_statement", "name": "养老保险个人权益记录", "registry_name": "社会保险信息"},
        {"scope": "social_insurance:contribution_history", "name": "社会保险缴费记录", "registry_name": "社会保险信息"},
    ]
    assert [k["scope"] for k in self_query_kinds("en")][3:] == [
        "social_insurance:contribution_record", "medical_insurance:enrolment", "housing_fund:account"]
    assert self_query_kinds("en")[5] == {"scope": "housing_fund:account", "name": "Housing provident fund account",
                                          "registry_name": "Housing provident fund"}


# -- receipt lines -------------------------------------------------------------------------------


def test_receipt_lines_of_a_pension_statement(catalog, registry, zhangsan):
    envelope = _ask(zhangsan, "social_insurance:pension_statement")
    assert receipt_lines(envelope, english=False) == [
        ("记录", "养老保险个人权益记录"),
        ("出具单位", "上海市社会保险事业管理中心"),
        ("记录编号", "RSJSB-PS-2025-07123X"),
        ("查询时间", "2026-03-10 10:00"),
        ("姓名或名称", "张*"),
        ("对账年度", "2025"),
        ("首次参保年月", "2016-01"),
        ("累计缴费月数", "120"),
        ("上年末个人账户余额（元）", "62350.40"),
        ("本年记入个人账户（元）", "8064.00"),
        ("本年记账利息（元）", "1633.58"),
        ("个人账户累计储存额（元）", "72047.98"),
        ("参保状态", "参保缴费"),
        ("预计月养老金（元）", "4860.00"),
        ("预计退休年月", "2053-03"),
        ("截至日期", "2025-12-31"),
        ("说明", "预计月养老金按现行政策和当前缴费水平测算，仅供参考。"),
    ]
    english = receipt_lines(envelope, english=True)
    assert english[0] == (english[0][0], "Pension insurance statement")
    assert len(english) == 17


def test_receipt_lines_summarise_rows_one_a_line(catalog, registry, lisi):
    lines = receipt_lines(_ask(lisi, "medical_insurance:annual_payments"), english=False)
    start = lines.index(("缴费明细", "12条"))
    assert lines[start + 1] == ("2025-01", "个人 ¥840.65 单位 ¥0.00")
    assert lines[start + 11] == ("2025-11", "个人 ¥840.65 单位 ¥0.00 欠缴")
    assert len(lines) == start + 13
    history = receipt_lines(_ask(lisi, "social_insurance:contribution_history"), english=False)
    assert history[-4:] == [
        ("2021-12至2024-12", "37个月 个人 ¥75757.50 单位 ¥0.00"),
        ("2025-01至2025-10", "10个月 个人 ¥23026.50 单位 ¥0.00"),
        ("2025-11至2025-11", "1个月 个人 ¥2302.65 单位 ¥0.00 欠缴"),
        ("2025-12至2025-12", "1个月 个人 ¥2302.65 单位 ¥0.00"),
    ]
    assert all(len(value) <= 32 for _, value in lines + history)


def test_a_long_value_continues_on_lines_without_a_label():
    note = "本记录由上海市医疗保险事业管理中心出具，供本人查询参考，不作为办理待遇的依据。"  # 38 characters
    envelope = {"registry": "medical_insurance", "kind": "annual_payments", "record_name": "年度医保缴费明细",
                "issuer": "上海市医疗保险事业管理中心", "record_id": "YBZX-1", "fetched_at": "2026-03-10T02:00:00+00:00",
                "record": {"name": "张小明", "notice": note}}
    assert receipt_lines(envelope, english=False) == [
        ("记录", "年度医保缴费明细"), ("出具单位", "上海市医疗保险事业管理中心"), ("记录编号", "YBZX-1"),
        ("查询时间", "2026-03-10 10:00"), ("姓名或名称", "张*明"), ("说明", note[:32]), ("", note[32:]),
    ]


# -- the page ------------------------------------------------------------------------------------


def test_my_records_page_lists_the_records(client, catalog, zhangsan):
    client.force_login(zhangsan)
    response = client.get("/data-sharing/my-records/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("查询年度医保缴费明细", "查询养老保险个人权益记录", "查询社会保险缴费记录", "查询社会保险参保缴费记录",
                  "查询基本医疗保险参保信息", "查询住房公积金"):
        assert label in html
    assert html.count('class="self-query-kind"') == 6
    assert html.count('name="csrfmiddlewaretoken"') >= 6
    assert 'id="own-record"' not in html
    assert DataAccess.objects.count() == 0
    # linked from my data
    assert 'href="/data-sharing/my-records/"' in client.get("/data-sharing/my-data/").content.decode()


def test_choosing_a_record_queries_and_shows_it(client, catalog, registry, zhangsan):
    client.force_login(zhangsan)
    response = client.post("/data-sharing/my-records/", {"scope": "medical_insurance:annual_payments"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>年度医保缴费明细</h2>" in html
    assert "来源：医疗保障信息 · 出具单位：上海市医疗保险事业管理中心" in html
    assert "记录编号 YBZX-AP-2025-07123X · 查询时间 2026-03-10 10:00" in html
    assert "<tr><th scope=\"row\">姓名或名称</th><td>张三</td></tr>" in html
    assert "<tr><th scope=\"row\">已缴合计（元）</th><td>11088.00</td></tr>" in html
    assert '<div class="table-scroll">' in html
    assert ("<tr><td>2025-07</td><td>8600.00</td><td>172.00</td><td>774.00</td><td>已缴</td></tr>") in html
    assert html.count("<tr><td>2025-") == 12
    assert "<html" not in html  # the partial only
    access = DataAccess.objects.get()
    assert (access.channel, access.kiosk_code, access.accessor, access.consent.purpose) == (
        "web", "", zhangsan, "本人查询（网上办事大厅）")
    # without htmx: the whole page with the record
    full = client.post("/data-sharing/my-records/", {"scope": "social_insurance:contribution_history"}).content.decode()
    assert "<html" in full and "<h2>社会保险缴费记录</h2>" in full
    assert "<td>2019-01至2022-06</td><td>上海奉贤示例餐饮有限公司</td><td>养老、医疗、失业、工伤、生育</td>" in full


def test_a_refusal_is_shown_in_place(client, catalog, registry, xiaoming):
    client.force_login(xiaoming)
    response = client.post("/data-sharing/my-records/", {"scope": "social_insurance:pension_statement"}, **HTMX)
    assert response.status_code == 404
    assert response.content.decode().strip() == (
        '<p class="error-text" role="alert" id="my-record-error">“社会保险信息”中没有您的“养老保险个人权益记录”。'
        "如有疑问，请向该部门咨询。</p>")
    response = client.post("/data-sharing/my-records/", {"scope": "household:id_card"})
    assert response.status_code == 400
    assert "该记录不能由本人自助查询。" in response.content.decode()
    assert 'class="self-query-kind"' in response.content.decode()


def test_staff_and_enterprises_get_the_403_page(client, catalog, company):
    for user in (make_staff(role="window_officer"), company):
        client.force_login(user)
        for response in (client.get("/data-sharing/my-records/"),
                         client.post("/data-sharing/my-records/", {"scope": "housing_fund:account"})):
            assert response.status_code == 403
            assert "此页面仅限个人用户访问。" in response.content.decode() or "此页面仅限个人或企业用户访问。" in response.content.decode()
    assert DataAccess.objects.count() == 0
    client.logout()
    assert client.get("/data-sharing/my-records/").status_code == 302
