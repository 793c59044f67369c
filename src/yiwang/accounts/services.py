"""Writes of the accounts app: registration, staff and administrator accounts, demo accounts, login.

Every function takes keyword-only arguments and raises `yiwang.core.errors` classes with a
machine code and bilingual messages. Errors about one input field carry
``details={"field": "<name>"}`` so a form can show the message beside that field.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from rest_framework.authtoken.models import Token

from yiwang.accounts import constants as c
from yiwang.accounts.models import LoginAttempt, User
from yiwang.accounts.selectors import has_role
from yiwang.core import clock
from yiwang.core.ratelimit import count_hit
from yiwang.core.errors import Conflict, DomainError, PermissionDenied, RateLimited, ValidationFailed
from yiwang.core.identifiers import (
    IdentifierError, confusable_name_problem, normalize_credit_code, normalize_id_card, normalize_mobile,
)

logger = logging.getLogger(__name__)

STAFF_ROLES = frozenset(code for code, _label in c.ROLES)
# Departments are reached through our own relation, not by importing the catalogue's models.
Department = User._meta.get_field("departments").related_model


class InvalidCredentials(DomainError):
    """Wrong username or password (or an inactive account): HTTP 401, one message for all cases."""

    status = 401


# ---------------------------------------------------------------------------------------------
# Validation helpers (raise domain errors naming the field)
# ---------------------------------------------------------------------------------------------


def _field_error(field: str, code: str, message: str, message_en: str) -> ValidationFailed:
    return ValidationFailed(code, message, message_en, details={"field": field})


def lock_account(user) -> None:
    """Lock `user`'s row until the current transaction ends.

    Serialises one person's concurrent writes that have no row of their own to lock yet (a first
    consent, a submission under a fresh idempotency key); other people's are not held up.
    """
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise _field_error("username", "username_required", "请输入用户名。", "A username is required.")
    if len(username) > 150:
        raise _field_error(
            "username", "invalid_username", "用户名不能超过150个字符。", "A username has at most 150 characters."
        )
    problem = confusable_name_problem(username)
    if problem == "invisible":
        raise _field_error("username", "invalid_username", "用户名不能含有不可见字符（如零宽字符、文字方向控制符）。",
                           "A username may not contain invisible characters (zero-width or text-direction controls).")
    if problem == "mixed_scripts":
        raise _field_error("username", "invalid_username", "用户名不能混用不同文字的字母（如拉丁字母和西里尔字母）。",
                           "A username may not mix letters of different alphabets (such as Latin and Cyrillic).")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise _field_error(
            "username",
            "invalid_username",
            "用户名只能包含字母、数字和 @ . + - _ 字符。",
            "A username may contain only letters, digits and @ . + - _ characters.",
        ) from None
    return username


def _clean_real_name(real_name: str) -> str:
    real_name = (real_name or "").strip()
    if not real_name:
        raise _field_error("real_name", "real_name_required", "请输入姓名或名称。", "A name is required.")
    if len(real_name) > 100:
        raise _field_error(
            "real_name", "real_name_too_long", "姓名或名称不能超过100个字符。", "A name has at most 100 characters."
        )
    return real_name


# Chinese wording of the validators' refusals (Django's zh_Hans catalogue lags behind its msgids).
_PASSWORD_PROBLEMS = {
    "password_too_short": (
        "密码太短，至少需要 {min_length} 个字符。",
        "This password is too short. It must contain at least {min_length} characters.",
    ),
    "password_too_common": ("该密码过于常见，请换一个。", "This password is too common."),
    "password_entirely_numeric": ("密码不能全部为数字。", "This password is entirely numeric."),
    "password_too_similar": ("密码与个人信息过于相似。", "The password is too similar to your personal information."),
}


def _check_password(password: str, *, user: User | None = None) -> None:
    """Run the configured password validators; refusals in both languages."""
    try:
        validate_password(password or "", user=user)
    except ValidationError as exc:
        messages, messages_en = [], []
        for error in exc.error_list:
            params = error.params or {}
            if error.code in _PASSWORD_PROBLEMS:
                zh, en = _PASSWORD_PROBLEMS[error.code]
                messages.append(zh.format(**params))
                messages_en.append(en.format(**params))
            else:
                text = str(error.message % params if params else error.message)
                messages.append(text)
                messages_en.append(text)
        raise ValidationFailed(
            "weak_password", " ".join(messages), " ".join(messages_en), details={"field": "password"}
        ) from None


def _identifier_error(field: str, exc: IdentifierError) -> ValidationFailed:
    return _field_error(field, exc.code, exc.message, exc.message_en)


def _clean_phone(phone: str) -> str:
    """A mobile number in canonical form, or "" when none was given."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        return normalize_mobile(phone)
    except IdentifierError as exc:
        raise _identifier_error("phone", exc) from None


def _ensure_username_free(username: str) -> None:
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            "username_taken",
            "该用户名已被使用，请换一个。",
            "This username is already taken; please choose another.",
            details={"field": "username"},
        )


def _create_user(*, username: str, password: str, **fields) -> User:
    """Create the row; a concurrent registration with the same unique value becomes a Conflict."""
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password, **fields)
    except IntegrityError:
        raise Conflict(
            "account_exists",
            "该账号或证件号码已注册。",
            "An account with this username or identifier already exists.",
        ) from None


# ---------------------------------------------------------------------------------------------
# Registration and account creation
# ---------------------------------------------------------------------------------------------


def _claim_walk_in(*, username: str, password: str, real_name: str, phone: str = "", **identifier) -> User | None:
    """A person first seen at a counter registers online: they take over that record (and its
    cases) instead of getting a second one.

    An ID number and a name are no secret, so they alone would hand anyone a stranger's counter
    cases: the claim also needs the mobile number the officer recorded at the counter (the
    counter checked the ID document when it recorded it). None when no unregistered record has
    the identifier or the name and number do not match; the caller then answers as for an
    identifier that is taken, which the registration page does not tell apart.
    """
    walk_in = User.objects.select_for_update().filter(registered=False, **identifier).first()
    if walk_in is None:
        return None
    if not (phone and walk_in.phone == phone and walk_in.real_name == real_name):
        logger.info("registration with a walk-in's identifier but not the counter's name and mobile: not claimed")
        return None
    walk_in.username, walk_in.registered = username, True
    walk_in.set_password(password)
    walk_in.save()
    logger.info("walk-in applicant registered: %s", walk_in.username)
    return walk_in


@transaction.atomic
def register_resident(*, username: str, password: str, real_name: str, id_number: str, phone: str = "") -> User:
    """Register a natural person (自然人) with a valid resident ID card number.

    The number is stored in canonical form (upper-case X). Raises ValidationFailed for a bad
    username, name, ID number or password, Conflict when the username or ID number is taken.
    """
    username = _clean_username(username)
    real_name = _clean_real_name(real_name)
    try:
        id_number = normalize_id_card(id_number)
    except IdentifierError as exc:
        raise _identifier_error("id_number", exc) from None
    phone = _clean_phone(phone)
    _ensure_username_free(username)
    # Every check of what was typed comes before the one about other people's accounts.
    _check_password(password, user=User(username=username, real_name=real_name))
    claimed = _claim_walk_in(username=username, password=password, real_name=real_name, phone=phone, id_number=id_number)
    if claimed is not None:
        return claimed
    if User.objects.filter(id_number=id_number).exists():
        raise Conflict(
            "id_number_registered",
            "该身份证号码已注册账号，请直接登录。",
            "An account with this ID card number already exists; please sign in.",
            details={"field": "id_number"},
        )
    user = _create_user(
        username=username, password=password, kind=c.KIND_RESIDENT, real_name=real_name, id_number=id_number, phone=phone
    )
    logger.info("resident registered: %s", user.username)
    return user


def request_resident_registration(
    *, client_ip: str | None, username: str, password: str, real_name: str, id_number: str, phone: str = ""
) -> User | None:
    """The registration page's door: limited per address, and silent about who is registered.

    Counts the attempt (RateLimited, 429 ``too_many_registrations``, after
    ``REGISTRATION_RATE_LIMIT["attempts"]`` from one address within ``window_seconds``), then
    registers as `register_resident` does. When the ID number already has an account it returns
    None instead of saying so, after the same password work, so a page that answers both cases
    alike (and as slowly) tells a prober nothing; the owner signs in with the account they have.
    Field errors and a taken username are still reported (they reveal nothing about a person).
    """
    config = settings.REGISTRATION_RATE_LIMIT
    count_hit(bucket="registration", key=client_ip, limit=int(config["attempts"]),
              window=timedelta(seconds=int(config["window_seconds"])), refusal=(
                  "too_many_registrations",
                  "注册过于频繁，请稍后再试；如需帮助，请到政务服务中心窗口办理。",
                  "Too many registrations from this address; please try again later, or ask at a service hall window.",
              ))
    try:
        return register_resident(username=username, password=password, real_name=real_name, id_number=id_number, phone=phone)
    except Conflict as conflict:
        if conflict.code != "id_number_registered":
            raise
        make_password(password)  # the work a new account costs, so the answer takes as long
        logger.info("registration for an already registered ID number answered as usual")
        return None


@transaction.atomic
def register_enterprise(*, username: str, password: str, real_name: str, credit_code: str, phone: str = "") -> User:
    """Register a legal person (法人) by its unified social credit code; `real_name` is its name."""
    username = _clean_username(username)
    real_name = _clean_real_name(real_name)
    try:
        credit_code = normalize_credit_code(credit_code)
    except IdentifierError as exc:
        raise _identifier_error("credit_code", exc) from None
    _ensure_username_free(username)
    phone = _clean_phone(phone)
    _check_password(password, user=User(username=username, real_name=real_name))
    claimed = _claim_walk_in(username=username, password=password, real_name=real_name, phone=phone,
                             credit_code=credit_code)
    if claimed is not None:
        return claimed
    if User.objects.filter(credit_code=credit_code).exists():
        raise Conflict(
            "credit_code_registered",
            "该统一社会信用代码已注册账号，请直接登录。",
            "An account with this unified social credit code already exists; please sign in.",
            details={"field": "credit_code"},
        )
    user = _create_user(username=username, password=password, kind=c.KIND_ENTERPRISE, real_name=real_name,
                        credit_code=credit_code, phone=phone)
    logger.info("enterprise registered: %s", user.username)
    return user


@dataclass(frozen=True)
class WalkInApplicant:
    person: User
    created: bool  # False: the person (registered or not) was already known by that identifier


def walk_in_applicant(*, officer, real_name: str, id_number: str = "", credit_code: str = "", phone: str = "") -> WalkInApplicant:
    """The applicant an officer serves at a counter, found by ID number or credit code, or recorded.

    An existing account (registered online or recorded at an earlier visit) is returned, never a
    second one; a new person is recorded as an unregistered applicant (no password, cannot sign
    in) who may later register online with the same identifier and so claim the record. The
    name is checked against an existing record's, so a mistyped number does not land a case on
    someone else's account.
    """
    if not has_role(officer, c.ROLE_WINDOW_OFFICER):
        raise PermissionDenied("window_officers_only", "只有窗口人员可以代为申报。", "Only window officers can apply for someone.")
    real_name = _clean_real_name(real_name)
    if bool(id_number) == bool(credit_code):
        raise ValidationFailed("identifier_required", "请填写身份证号码或统一社会信用代码（二选一）。",
                               "Give either an ID card number or a unified social credit code.")
    try:
        if id_number:
            lookup, kind = {"id_number": normalize_id_card(id_number)}, c.KIND_RESIDENT
        else:
            lookup, kind = {"credit_code": normalize_credit_code(credit_code)}, c.KIND_ENTERPRISE
    except IdentifierError as exc:
        raise _identifier_error("id_number" if id_number else "credit_code", exc) from None
    return _found_or_recorded(lookup=lookup, kind=kind, real_name=real_name, phone=_clean_phone(phone),
                              recorded_by=officer.username)


def card_holder(*, real_name: str, id_number: str, kiosk_code: str) -> WalkInApplicant:
    """The person whose ID card a kiosk's reader just read: their account, or a new unregistered record.

    The kiosk vouches for the card in its reader (it acts under its own credential); the name on
    the card must match an existing record's, as at a counter.
    """
    real_name = _clean_real_name(real_name)
    try:
        lookup = {"id_number": normalize_id_card(id_number)}
    except IdentifierError as exc:
        raise _identifier_error("id_number", exc) from None
    return _found_or_recorded(lookup=lookup, kind=c.KIND_RESIDENT, real_name=real_name, phone="",
                              recorded_by=f"kiosk {kiosk_code}")


def _found_or_recorded(*, lookup: dict, kind: str, real_name: str, phone: str, recorded_by: str) -> WalkInApplicant:
    for _attempt in range(2):  # a concurrent first visit of the same person wins the insert; then read theirs
        existing = User.objects.filter(**lookup).first()
        if existing is not None:
            if existing.kind not in (c.KIND_RESIDENT, c.KIND_ENTERPRISE) or existing.real_name != real_name:
                raise ValidationFailed("identity_mismatch", "姓名与证件号码不符，请核对证件。",
                                       "The name does not match the identifier's record; check the ID document.")
            if phone and not existing.registered and existing.phone != phone:
                # The officer has the ID document in hand: the number they record is the one
                # that lets this person claim the record online (a registered account keeps its own).
                # Conditional, so a claim committing meanwhile keeps the number it was claimed with.
                if User.objects.filter(pk=existing.pk, registered=False).update(phone=phone):
                    existing.phone = phone
            return WalkInApplicant(person=existing, created=False)
        try:
            with transaction.atomic():
                person = User.objects.create_user(
                    username=f"walkin-{uuid.uuid4().hex[:12]}", password=None, kind=kind, real_name=real_name,
                    phone=phone, registered=False, **lookup)
            logger.info("walk-in applicant recorded by %s", recorded_by)
            return WalkInApplicant(person=person, created=True)
        except IntegrityError:
            continue
    raise Conflict("applicant_conflict", "该申请人正被同时登记，请重试。", "This applicant is being recorded at the same time; retry.")


def _departments_by_code(department_codes) -> list[Department]:
    codes = sorted({code.strip() for code in department_codes or () if code and code.strip()})
    found = list(Department.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {d.code for d in found})
    if missing:
        raise _field_error(
            "department_codes",
            "unknown_department",
            f"部门编码不存在：{'、'.join(missing)}。",
            f"Unknown department code(s): {', '.join(missing)}.",
        )
    return found


@transaction.atomic
def create_staff(*, username: str, password: str, real_name: str, role: str, department_codes) -> User:
    """Create a staff account with one role, scoped to the named departments.

    Window officers and approvers act only in their departments; hall managers, administrators
    and auditors see all departments (see `selectors.staff_department_ids`), so their
    departments are informational. Raises ValidationFailed for an unknown role or department code.
    """
    username = _clean_username(username)
    real_name = _clean_real_name(real_name)
    if role not in STAFF_ROLES:
        raise _field_error(
            "role",
            "unknown_role",
            f"岗位角色无效：{role}。",
            f"Unknown staff role: {role}.",
        )
    departments = _departments_by_code(department_codes)
    _ensure_username_free(username)
    _check_password(password, user=User(username=username, real_name=real_name))
    user = _create_user(
        username=username,
        password=password,
        kind=c.KIND_STAFF,
        role=role,
        real_name=real_name,
        # Administrators manage the platform in Django admin, as create_administrator's do.
        is_staff=role == c.ROLE_ADMINISTRATOR,
        is_superuser=role == c.ROLE_ADMINISTRATOR,
    )
    user.departments.set(departments)
    logger.info("staff account created: %s (%s)", user.username, role)
    return user


@transaction.atomic
def create_administrator(*, username: str, password: str, real_name: str) -> User:
    """Create an administrator (Django admin superuser), or reset the password of an existing one.

    An existing account of another kind or role is not converted: that raises Conflict, so a
    typo cannot turn a resident into a superuser.
    """
    username = _clean_username(username)
    real_name = (real_name or "").strip() or username
    existing = User.objects.select_for_update().filter(username=username).first()
    _check_password(password, user=existing or User(username=username, real_name=real_name))
    if existing is not None:
        if existing.kind != c.KIND_STAFF or existing.role != c.ROLE_ADMINISTRATOR:
            raise Conflict(
                "username_not_administrator",
                "该用户名属于非管理员账号，不能改为管理员。",
                "This username belongs to an account that is not an administrator.",
                details={"field": "username"},
            )
        existing.set_password(password)
        existing.is_staff = True
        existing.is_superuser = True
        existing.is_active = True
        existing.save(update_fields=["password", "credentials_changed_at", "is_staff", "is_superuser", "is_active"])
        logger.info("administrator password reset: %s", username)
        return existing
    user = _create_user(
        username=username,
        password=password,
        kind=c.KIND_STAFF,
        role=c.ROLE_ADMINISTRATOR,
        real_name=real_name[:100],
        is_staff=True,
        is_superuser=True,
    )
    logger.info("administrator created: %s", username)
    return user


# ---------------------------------------------------------------------------------------------
# Demo accounts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str  # the kind for residents/enterprises, the staff role otherwise
    description: str  # Chinese and English, e.g. "居民 resident"


@dataclass(frozen=True)
class _DemoSpec:
    account: DemoAccount
    real_name: str
    id_number: str = ""
    credit_code: str = ""
    department_codes: tuple[str, ...] = ()


DEMO_DEPARTMENT = "SCJG"  # 区市场监督管理局: its items include the restaurant licence of the demo
# Synthetic identifiers with valid check characters (tests assert they validate).
DEMO_ID_ZHANGSAN = "31012019900307123X"
DEMO_ID_LISI = "310120198511204321"
DEMO_CREDIT_CODE = "91310120MA1FL8XK23"

_DEMO_SPECS = (
    _DemoSpec(DemoAccount("zhangsan", "demo-zhangsan-2026", c.KIND_RESIDENT, "居民 resident"), "张三", id_number=DEMO_ID_ZHANGSAN),
    _DemoSpec(DemoAccount("lisi", "demo-lisi-2026", c.KIND_RESIDENT, "居民 resident"), "李四", id_number=DEMO_ID_LISI),
    _DemoSpec(
        DemoAccount("company", "demo-company-2026", c.KIND_ENTERPRISE, "企业 enterprise"),
        "上海奉贤示例餐饮有限公司",
        credit_code=DEMO_CREDIT_CODE,
    ),
    _DemoSpec(
        DemoAccount("officer", "demo-officer-2026", c.ROLE_WINDOW_OFFICER, "窗口人员（市场监管） window officer, market regulation"),
        "王窗口",
        department_codes=(DEMO_DEPARTMENT,),
    ),
    _DemoSpec(
        # A generalist window (综合窗口): one officer takes every member of 企业开办 at one window.
        DemoAccount("window", "demo-window-2026", c.ROLE_WINDOW_OFFICER,
                    "综合窗口（企业开办） generalist window officer, business start-up"),
        "吴综窗",
        department_codes=("SCJG", "GAZA", "TAX", "RSJSB", "GJJ"),
    ),
    _DemoSpec(
        DemoAccount("approver", "demo-approver-2026", c.ROLE_APPROVER, "审批人员（市场监管） approver, market regulation"),
        "赵审批",
        department_codes=(DEMO_DEPARTMENT,),
    ),
    _DemoSpec(DemoAccount("manager", "demo-manager-2026", c.ROLE_HALL_MANAGER, "大厅管理员 hall manager"), "钱大厅"),
    _DemoSpec(DemoAccount("admin", "demo-admin-2026", c.ROLE_ADMINISTRATOR, "系统管理员 administrator"), "孙管理"),
    _DemoSpec(DemoAccount("auditor", "demo-auditor-2026", c.ROLE_AUDITOR, "审计人员 auditor"), "周审计"),
    _DemoSpec(DemoAccount("leader", "demo-leader-2026", c.ROLE_LEADER, "区领导 district leader (evaluation dashboard)"), "郑区长"),
)


def _create_demo_user(spec: _DemoSpec) -> User:
    account = spec.account
    if account.role == c.KIND_RESIDENT:
        return register_resident(
            username=account.username, password=account.password, real_name=spec.real_name, id_number=spec.id_number
        )
    if account.role == c.KIND_ENTERPRISE:
        return register_enterprise(
            username=account.username, password=account.password, real_name=spec.real_name, credit_code=spec.credit_code
        )
    if account.role == c.ROLE_ADMINISTRATOR:
        return create_administrator(username=account.username, password=account.password, real_name=spec.real_name)
    # A catalogue without the demo department still gets the account, just without scoping.
    present = list(Department.objects.filter(code__in=spec.department_codes).values_list("code", flat=True))
    return create_staff(
        username=account.username,
        password=account.password,
        real_name=spec.real_name,
        role=account.role,
        department_codes=present,
    )


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts that are missing; idempotent.

    An existing demo account gets its demo password back (so the printed list is always
    true) and, if it is unscoped, the demo department once the catalogue has it.
    """
    accounts = []
    for spec in _DEMO_SPECS:
        account = spec.account
        user = User.objects.filter(username=account.username).first()
        if user is None:
            _create_demo_user(spec)
        else:
            if not user.check_password(account.password):
                user.set_password(account.password)
                user.save(update_fields=["password", "credentials_changed_at"])
            if spec.department_codes and not user.departments.exists():
                user.departments.set(Department.objects.filter(code__in=spec.department_codes))
        accounts.append(account)
    return accounts


# ---------------------------------------------------------------------------------------------
# Login
# ---------------------------------------------------------------------------------------------


def _rate_limit() -> tuple[int, timedelta]:
    config = settings.LOGIN_RATE_LIMIT
    return int(config["attempts"]), timedelta(seconds=int(config["window_seconds"]))


def _login_identity(username: str) -> str:
    # Case-folded so "ZhangSan" and "zhangsan" share one budget of attempts.
    return (username or "").strip().lower()[:150]


def _retry_after_seconds(failures: list[datetime], attempts: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `attempts` of these failures remain in the window."""
    newest_first = sorted(failures, reverse=True)
    blocking = newest_first[attempts - 1]
    return max(1, math.ceil((blocking + window - now).total_seconds()))


def _recent_failures(identity: str, client_ip: str | None, since: datetime, *, pending_pk: int):
    """Times of the other recent failures: of this username from this address, of this username
    from anywhere, and of anyone from this address."""
    failures = LoginAttempt.objects.filter(succeeded=False, at__gte=since).exclude(pk=pending_pk)
    # A successful login proves the password is known: the identity's earlier failures lapse.
    last_success = LoginAttempt.objects.filter(identity=identity, succeeded=True, at__gte=since).aggregate(
        last=Max("at")
    )["last"]
    by_identity = failures.filter(identity=identity)
    if last_success is not None:
        by_identity = by_identity.filter(at__gt=last_success)
    pair = list(by_identity.filter(client_ip=client_ip).values_list("at", flat=True)) if client_ip else \
        list(by_identity.filter(client_ip__isnull=True).values_list("at", flat=True))
    identity_count = by_identity.count()
    address_count = failures.filter(client_ip=client_ip).count() if client_ip else 0
    return pair, identity_count, address_count


def _slow_down(seconds: float) -> None:
    time.sleep(seconds)


def authenticate_with_rate_limit(*, request_ip: str | None, username: str, password: str) -> User:
    """Check a username and password, throttling guessing without locking out the owner.

    - After ``LOGIN_RATE_LIMIT["attempts"]`` failures for one username (case-insensitive) from one
      client address within ``window_seconds``, that username is refused from that address with
      RateLimited (429, ``too_many_login_attempts``, ``details={"retry_after_seconds": N}``)
      without checking the password. The same username from another address is not refused: a
      guesser cannot lock the real owner (an officer at another window, at home) out.
    - After ``["attempts_per_identity"]`` failures of one username from anywhere, or
      ``["attempts_per_address"]`` failures of anyone from one address (a service hall or an office
      shares one), each further attempt first waits ``["slowdown_seconds"]``: guessing slows to a
      crawl, and a correct password still gets in.

    A wrong username or password, or an inactive account, raises InvalidCredentials (401,
    ``invalid_credentials``) with the same message either way. A successful login does not count,
    and clears the username's earlier failures. The attempt is recorded (and committed) before
    the count, so concurrent requests in other processes each see the earlier ones and the limit
    holds exactly; refused attempts are removed again and do not extend the lock.
    """
    config = settings.LOGIN_RATE_LIMIT
    attempts, window = _rate_limit()
    identity = _login_identity(username)
    client_ip = request_ip or None
    attempt = LoginAttempt.objects.create(identity=identity, client_ip=client_ip, succeeded=False)
    now = clock.now()
    pair, identity_count, address_count = _recent_failures(identity, client_ip, now - window, pending_pk=attempt.pk)
    if len(pair) >= attempts:
        seconds = _retry_after_seconds(pair, attempts, window, now)
        attempt.delete()
        minutes = math.ceil(seconds / 60)
        logger.warning("login refused by rate limit: identity=%s ip=%s", identity, client_ip)
        raise RateLimited(
            "too_many_login_attempts",
            f"登录失败次数过多，请 {minutes} 分钟后再试。",
            f"Too many failed sign-in attempts; please try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            details={"retry_after_seconds": seconds},
        )
    if identity_count >= int(config.get("attempts_per_identity", attempts * 4)) or \
            address_count >= int(config.get("attempts_per_address", attempts * 10)):
        logger.warning("login slowed: identity=%s ip=%s (%d failures of the username, %d from the address)",
                       identity, client_ip, identity_count, address_count)
        _slow_down(float(config.get("slowdown_seconds", 2)))
    user = authenticate(username=(username or "").strip(), password=password or "")
    if user is None:
        logger.info("login failed: identity=%s ip=%s", identity, client_ip)
        raise InvalidCredentials(
            "invalid_credentials",
            "用户名或密码错误。",
            "Wrong username or password.",
        )
    LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)
    return user


def purge_login_attempts(*, before: datetime) -> int:
    """Delete login attempts recorded before `before` (older than any window); returns the count."""
    deleted, _ = LoginAttempt.objects.filter(at__lt=before).delete()
    return deleted


# ---------------------------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------------------------


def issue_api_token(*, user: User) -> str:
    """The user's API token: the current one, or a new one once it expired or the password changed."""
    from yiwang.accounts.authentication import token_is_current

    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_is_current(token):
            return token.key
        if token is not None:
            token.delete()
        token = Token.objects.create(user=user)
        # DRF stamps `created` from the wall clock; the platform's time is core.clock's.
        Token.objects.filter(pk=token.pk).update(created=clock.now())
        return token.key
