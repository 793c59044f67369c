"""Registration services and the resident registration page."""

from __future__ import annotations

import pytest

from tests.factories import make_resident, valid_credit_code, valid_id_number
from yiwang.accounts import services
from yiwang.accounts.models import User
from yiwang.core.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"


def test_register_resident_stores_canonical_id_and_argon2_hash(real_hasher):
    number = valid_id_number(birth="19880101", seq=901)
    lower = number[:-1] + number[-1].lower()
    user = services.register_resident(
        username="wangwu", password=PASSWORD, real_name=" 王五 ", id_number=lower, phone="13912345678"
    )
    user.refresh_from_db()
    assert user.kind == "resident"
    assert user.real_name == "王五"
    assert user.id_number == number
    assert user.phone == "13912345678"
    assert user.role == ""
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser


def test_register_resident_with_x_check_char():
    user = services.register_resident(
        username="xcheck", password=PASSWORD, real_name="张三", id_number="31012019900307123x"
    )
    assert user.id_number == "31012019900307123X"


def test_invalid_id_number_is_refused_and_nothing_created():
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.register_resident(username="bad", password=PASSWORD, real_name="王五", id_number="310120198511204322")
    assert info.value.code == "invalid_id_number_checksum"
    assert info.value.message == "身份证号码校验位不正确，请核对后重新输入。"
    assert info.value.details == {"field": "id_number"}
    assert User.objects.count() == before


def test_duplicate_username_and_id_number_conflict():
    existing = make_resident(username="taken")
    before = User.objects.count()
    with pytest.raises(Conflict) as info:
        services.register_resident(
            username="TAKEN", password=PASSWORD, real_name="王五", id_number=valid_id_number(seq=902)
        )
    assert info.value.code == "username_taken"
    with pytest.raises(Conflict) as info:
        services.register_resident(username="fresh", password=PASSWORD, real_name="王五", id_number=existing.id_number)
    assert info.value.code == "id_number_registered"
    assert info.value.status == 409
    assert User.objects.count() == before


def test_short_password_is_refused_in_both_languages():
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.register_resident(username="shorty", password="abc12", real_name="王五", id_number=valid_id_number(seq=903))
    assert info.value.code == "weak_password"
    assert info.value.details == {"field": "password"}
    assert info.value.message == "密码太短，至少需要 8 个字符。"
    assert info.value.message_en == "This password is too short. It must contain at least 8 characters."
    assert User.objects.count() == before


@pytest.mark.parametrize("username", ["", "   ", "has space", "semi;colon"])
def test_bad_username_is_refused(username):
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.register_resident(username=username, password=PASSWORD, real_name="王五", id_number=valid_id_number(seq=904))
    assert info.value.code in {"username_required", "invalid_username"}
    assert User.objects.count() == before


def test_register_enterprise():
    code = valid_credit_code(seq=905)
    user = services.register_enterprise(
        username="acme", password=PASSWORD, real_name="上海示例有限公司", credit_code=code.lower()
    )
    assert (user.kind, user.credit_code, user.id_number, user.role) == ("enterprise", code, None, "")


def test_register_enterprise_wrong_check_char_and_duplicate():
    code = valid_credit_code(seq=906)
    wrong = code[:17] + ("4" if code[17] != "4" else "5")
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.register_enterprise(username="acme2", password=PASSWORD, real_name="某公司", credit_code=wrong)
    assert (info.value.code, info.value.details) == ("invalid_credit_code_checksum", {"field": "credit_code"})
    services.register_enterprise(username="acme3", password=PASSWORD, real_name="某公司", credit_code=code)
    with pytest.raises(Conflict) as info:
        services.register_enterprise(username="acme4", password=PASSWORD, real_name="某公司", credit_code=code)
    assert info.value.code == "credit_code_registered"
    assert User.objects.count() == before + 1


def test_create_staff_with_departments(catalog):
    user = services.create_staff(
        username="officer9", password=PASSWORD, real_name="王窗口", role="window_officer", department_codes=["SCJG", "WJW"]
    )
    assert (user.kind, user.role, user.is_staff, user.is_superuser) == ("staff", "window_officer", False, False)
    assert sorted(user.departments.values_list("code", flat=True)) == ["SCJG", "WJW"]


def test_create_staff_refuses_unknown_role_and_department(catalog):
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.create_staff(username="s1", password=PASSWORD, real_name="甲", role="king", department_codes=[])
    assert info.value.code == "unknown_role"
    with pytest.raises(ValidationFailed) as info:
        services.create_staff(
            username="s2", password=PASSWORD, real_name="乙", role="approver", department_codes=["SCJG", "NOPE"]
        )
    assert info.value.code == "unknown_department"
    assert info.value.message == "部门编码不存在：NOPE。"
    assert User.objects.count() == before


def test_create_administrator_creates_then_resets_password():
    admin = services.create_administrator(username="root", password="first-pass-1", real_name="管理员")
    assert (admin.kind, admin.role, admin.is_staff, admin.is_superuser) == ("staff", "administrator", True, True)
    again = services.create_administrator(username="root", password="second-pass-2", real_name="管理员")
    assert again.pk == admin.pk
    again.refresh_from_db()
    assert again.check_password("second-pass-2")
    assert not again.check_password("first-pass-1")
    assert User.objects.filter(username="root").count() == 1


def test_create_administrator_refuses_short_password_and_keeps_old_one():
    services.create_administrator(username="root2", password="first-pass-1", real_name="管理员")
    with pytest.raises(ValidationFailed) as info:
        services.create_administrator(username="root2", password="short", real_name="管理员")
    assert info.value.code == "weak_password"
    assert User.objects.get(username="root2").check_password("first-pass-1")
    with pytest.raises(ValidationFailed):
        services.create_administrator(username="root3", password="short", real_name="管理员")
    assert not User.objects.filter(username="root3").exists()


def test_create_administrator_does_not_promote_a_resident():
    resident = make_resident(username="notadmin")
    with pytest.raises(Conflict) as info:
        services.create_administrator(username="notadmin", password="long-enough-1", real_name="x")
    assert info.value.code == "username_not_administrator"
    resident.refresh_from_db()
    assert (resident.kind, resident.is_superuser, resident.is_staff) == ("resident", False, False)


# --- the page ---------------------------------------------------------------------------------


def _form(**overrides):
    data = {
        "username": "zhaoliu",
        "real_name": "赵六",
        "id_number": valid_id_number(birth="19920512", seq=907),
        "phone": "",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_register_page_renders_with_csrf(client):
    response = client.get("/accounts/register/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "个人用户注册" in response.content.decode()


ANSWER = ("注册已受理。如该身份证号码此前未注册，请用刚设置的用户名和密码登录；如已注册过，请用原有账号登录。"
          "曾在窗口办事的，请填写窗口登记的手机号码，注册后即可查看窗口办件。")


def test_register_page_creates_resident_then_sends_them_to_sign_in(client):
    data = _form()
    response = client.post("/accounts/register/", data, follow=True)
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert [str(m) for m in response.context["messages"]] == [ANSWER]
    user = User.objects.get(username="zhaoliu")
    assert user.id_number == data["id_number"]
    assert "_auth_user_id" not in client.session
    assert client.login(username="zhaoliu", password=data["password"]) is True


def test_an_already_registered_number_gets_the_same_answer_and_no_second_account(client):
    """The probe found registered ID numbers by the page's answer (40 probes in 0.31 s)."""
    existing = make_resident(username="owner")
    before = User.objects.count()
    full_width = existing.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    for number in (existing.id_number, full_width):
        response = client.post("/accounts/register/", _form(username=f"prober{len(number)}", id_number=number), follow=True)
        assert response.redirect_chain == [("/accounts/login/", 302)]
        assert [str(m) for m in response.context["messages"]] == [ANSWER]
    assert User.objects.count() == before
    assert User.objects.filter(id_number=existing.id_number).get() == existing


def test_a_weak_password_is_refused_whether_or_not_the_number_is_registered(client):
    existing = make_resident(username="owner")
    for number in (existing.id_number, valid_id_number(seq=903)):
        response = client.post("/accounts/register/", _form(id_number=number, password="abc12", password_confirm="abc12"))
        assert response.status_code == 400
        assert response.context["form"].errors["password"] == ["密码太短，至少需要 8 个字符。"]


def test_registration_is_limited_per_address(client, settings):
    settings.REGISTRATION_RATE_LIMIT = {"attempts": 3, "window_seconds": 3600}
    for n in range(3):
        response = client.post("/accounts/register/", _form(username=f"person{n}", id_number=valid_id_number(seq=910 + n)))
        assert response.status_code == 302
    refused = client.post("/accounts/register/", _form(username="person9", id_number=valid_id_number(seq=919)))
    assert refused.status_code == 429
    assert "注册过于频繁，请稍后再试；如需帮助，请到政务服务中心窗口办理。" in refused.content.decode()
    assert not User.objects.filter(username="person9").exists()
    other = client.post("/accounts/register/", _form(username="person8", id_number=valid_id_number(seq=918)),
                        REMOTE_ADDR="192.0.2.200")
    assert other.status_code == 302


def test_register_page_shows_id_error_beside_the_field_and_creates_nothing(client):
    before = User.objects.count()
    response = client.post("/accounts/register/", _form(id_number="310120198511204322"))
    assert response.status_code == 400
    assert response.context["form"].errors["id_number"] == ["身份证号码校验位不正确，请核对后重新输入。"]
    assert "身份证号码校验位不正确" in response.content.decode()
    assert User.objects.count() == before


def test_register_page_bad_birth_date_and_short_number(client):
    body = "31012019900231123"
    from yiwang.core.identifiers import id_card_check_char

    response = client.post("/accounts/register/", _form(id_number=body + id_card_check_char(body)))
    assert response.status_code == 400
    assert response.context["form"].errors["id_number"] == ["身份证号码中的出生日期无效。"]
    response = client.post("/accounts/register/", _form(id_number="3101201"))
    assert response.context["form"].errors["id_number"] == ["身份证号码应为18位。"]
    assert not User.objects.filter(username="zhaoliu").exists()


def test_register_page_password_mismatch_and_duplicate_username(client):
    make_resident(username="dup")
    before = User.objects.count()
    response = client.post("/accounts/register/", _form(password_confirm="something-else"))
    assert response.status_code == 400
    assert response.context["form"].errors["password_confirm"] == ["两次输入的密码不一致。"]
    response = client.post("/accounts/register/", _form(username="dup"))
    assert response.status_code == 409
    assert response.context["form"].errors["username"] == ["该用户名已被使用，请换一个。"]
    assert User.objects.count() == before


def test_register_page_error_in_english(client):
    response = client.post(
        "/accounts/register/", _form(id_number="310120198511204322"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.context["form"].errors["id_number"] == [
        "The ID card number's check character is wrong; please check the number."
    ]
    assert "Resident registration" in response.content.decode()


def test_register_page_shows_every_field_error_at_once(client):
    before = User.objects.count()
    response = client.post("/accounts/register/", _form(real_name="", id_number="310120198511204322", password_confirm="x"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["id_number"] == ["身份证号码校验位不正确，请核对后重新输入。"]
    assert errors["real_name"] == ["该字段是必填项。"]
    assert errors["password_confirm"] == ["两次输入的密码不一致。"]
    assert User.objects.count() == before


def test_register_page_short_password_shown_beside_the_password(client):
    response = client.post("/accounts/register/", _form(password="abc12", password_confirm="abc12"))
    assert response.status_code == 400
    assert response.context["form"].errors["password"] == ["密码太短，至少需要 8 个字符。"]
    assert not User.objects.filter(username="zhaoliu").exists()


@pytest.mark.parametrize(("username", "message_en"), [
    ("pаul", "A username may not mix letters of different alphabets (such as Latin and Cyrillic)."),  # Cyrillic а
    ("admіn", "A username may not mix letters of different alphabets (such as Latin and Cyrillic)."),  # Ukrainian і
    ("zhang\u200bsan", "A username may not contain invisible characters (zero-width or text-direction controls)."),
    ("evil\u202egnp.exe", "A username may not contain invisible characters (zero-width or text-direction controls)."),
])
def test_misleading_usernames_are_refused(username, message_en):
    with pytest.raises(ValidationFailed) as info:
        services.register_resident(username=username, password=PASSWORD, real_name="王五", id_number=valid_id_number(seq=930))
    assert (info.value.code, info.value.message_en, info.value.details) == ("invalid_username", message_en, {"field": "username"})
    assert not User.objects.filter(id_number=valid_id_number(seq=930)).exists()


@pytest.mark.parametrize("username", ["zhangsan", "张三2026", "王小明_office", "li.si@fx"])
def test_ordinary_usernames_pass(username):
    user = services.register_resident(username=username, password=PASSWORD, real_name="王五", id_number=valid_id_number(seq=931))
    assert user.username == username


@pytest.mark.parametrize(("phone", "stored"), [("13800138000", "13800138000"), ("１３８００１３８０００", "13800138000"),
                                               ("+86 138-0013-8000", "13800138000"), ("", "")])
def test_the_phone_is_validated_and_stored_as_on_the_form(phone, stored):
    user = services.register_resident(username="phone-ok", password=PASSWORD, real_name="王五", id_number=valid_id_number(seq=932),
                                      phone=phone)
    assert user.phone == stored


@pytest.mark.parametrize("phone", ["12345", "23800138000", "138001380001", "021-57123456"])
def test_a_phone_that_is_not_a_mobile_number_is_refused(phone):
    with pytest.raises(ValidationFailed) as info:
        services.register_resident(username="phone-bad", password=PASSWORD, real_name="王五", id_number=valid_id_number(seq=933),
                                   phone=phone)
    assert (info.value.code, info.value.message, info.value.details) == ("invalid_phone", "请填写11位手机号码。", {"field": "phone"})
