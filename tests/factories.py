"""Plain functions that make valid people for tests (real rows, no mocks)."""

from __future__ import annotations

import itertools

from yiwang.core.identifiers import credit_code_check_char, id_card_check_char

_serial = itertools.count(1)
PASSWORD = "Passw0rd!2026"


def valid_id_number(birth: str = "19900307", region: str = "310120", seq: int | None = None) -> str:
    """A valid GB 11643 number; distinct `seq` gives distinct numbers."""
    seq = next(_serial) if seq is None else seq
    body = f"{region}{birth}{seq % 1000:03d}"
    return body + id_card_check_char(body)


def valid_credit_code(seq: int | None = None) -> str:
    seq = next(_serial) if seq is None else seq
    body = f"91310120MA1{seq:06d}"
    return body + credit_code_check_char(body)


def make_resident(*, real_name: str = "张三", username: str | None = None, password: str = PASSWORD):
    from yiwang.accounts.models import User

    n = next(_serial)
    return User.objects.create_user(
        username=username or f"resident{n}",
        password=password,
        kind="resident",
        real_name=real_name,
        id_number=valid_id_number(seq=n),
        phone="13800138000",
    )


def make_enterprise(*, real_name: str = "上海示例餐饮有限公司", username: str | None = None, password: str = PASSWORD):
    from yiwang.accounts.models import User

    n = next(_serial)
    return User.objects.create_user(
        username=username or f"company{n}",
        password=password,
        kind="enterprise",
        real_name=real_name,
        credit_code=valid_credit_code(seq=n),
    )


def make_staff(*, role: str, departments: list[str] = (), username: str | None = None, password: str = PASSWORD):
    from yiwang.accounts.models import User
    from yiwang.catalog.models import Department

    n = next(_serial)
    user = User.objects.create_user(
        username=username or f"{role}{n}", password=password, kind="staff", role=role, real_name=f"工作人员{n}"
    )
    if departments:
        user.departments.set(Department.objects.filter(code__in=departments))
    return user
