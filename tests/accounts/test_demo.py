"""ensure_demo_accounts: the accounts printed by `yiwang demo`."""

from __future__ import annotations

import pytest

from yiwang.accounts import services
from yiwang.accounts.models import User
from yiwang.catalog.models import Department
from yiwang.core.identifiers import normalize_credit_code, normalize_id_card

pytestmark = pytest.mark.django_db

EXPECTED = [
    ("zhangsan", "resident"),
    ("lisi", "resident"),
    ("company", "enterprise"),
    ("officer", "window_officer"),
    ("window", "window_officer"),
    ("approver", "approver"),
    ("manager", "hall_manager"),
    ("admin", "administrator"),
    ("auditor", "auditor"),
    ("leader", "leader"),
]


def test_demo_accounts_are_created_once(catalog):
    before = User.objects.count()
    first = services.ensure_demo_accounts()
    after_first = User.objects.count()
    second = services.ensure_demo_accounts()
    assert after_first == before + 10
    assert User.objects.count() == after_first
    assert first == second
    assert [(a.username, a.role) for a in first] == EXPECTED
    for account in first:
        assert len(account.password) >= 8
        assert account.password == f"demo-{account.username}-2026"
        assert User.objects.get(username=account.username).check_password(account.password)
    assert first[0].description == "居民 resident"


def test_demo_account_details(catalog, real_hasher):
    services.ensure_demo_accounts()
    assert User.objects.get(username="admin").password.startswith("argon2$argon2id$")
    zhangsan = User.objects.get(username="zhangsan")
    assert (zhangsan.kind, zhangsan.real_name) == ("resident", "张三")
    assert normalize_id_card(zhangsan.id_number) == zhangsan.id_number
    company = User.objects.get(username="company")
    assert (company.kind, company.real_name) == ("enterprise", "上海奉贤示例餐饮有限公司")
    assert normalize_credit_code(company.credit_code) == company.credit_code
    for username in ("officer", "approver"):
        assert list(User.objects.get(username=username).departments.values_list("code", flat=True)) == ["SCJG"]
    admin = User.objects.get(username="admin")
    assert (admin.kind, admin.role, admin.is_staff, admin.is_superuser) == ("staff", "administrator", True, True)
    assert list(User.objects.get(username="manager").departments.all()) == []
    window = User.objects.get(username="window")
    assert sorted(window.departments.values_list("code", flat=True)) == ["GAZA", "GJJ", "RSJSB", "SCJG", "TAX"]


def test_demo_passwords_are_restored(catalog):
    services.ensure_demo_accounts()
    officer = User.objects.get(username="officer")
    officer.set_password("changed-by-someone")
    officer.save()
    services.ensure_demo_accounts()
    officer.refresh_from_db()
    assert officer.check_password("demo-officer-2026")


def test_missing_department_skips_scoping_then_catches_up(catalog):
    Department.objects.filter(code="SCJG").update(code="SCJG-HIDDEN")
    accounts = services.ensure_demo_accounts()
    assert len(accounts) == 10
    officer = User.objects.get(username="officer")
    assert list(officer.departments.all()) == []
    Department.objects.filter(code="SCJG-HIDDEN").update(code="SCJG")
    services.ensure_demo_accounts()
    assert list(officer.departments.values_list("code", flat=True)) == ["SCJG"]
