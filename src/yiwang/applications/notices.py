"""Texts of the standard notices (pure). Each takes the facts it states, nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yiwang.applications import constants as c


@dataclass(frozen=True)
class NoticeFacts:
    case_number: str
    item_name: str
    applicant_name: str
    department_name: str
    on: dt.date
    statutory_due: dt.date | None = None
    promised_due: dt.date | None = None
    due_provisional: bool = False
    opinion: str = ""
    missing_materials: list[str] = field(default_factory=list)
    owed_materials: list[str] = field(default_factory=list)
    result_name: str = ""
    licensing: bool = True  # an administrative licence (事项类型 01): decisions use licensing wording
    # What was applied for (label, value), from the case's form: stated by acceptance and decisions.
    particulars: tuple[tuple[str, str], ...] = ()
    # The English of the names and particulars, for the English text of the notice ("" / () when none).
    item_name_en: str = ""
    department_name_en: str = ""
    result_name_en: str = ""
    missing_materials_en: list[str] = field(default_factory=list)
    owed_materials_en: list[str] = field(default_factory=list)
    particulars_en: tuple[tuple[str, str], ...] = ()


def _d(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _particulars(facts: NoticeFacts) -> str:
    if not facts.particulars:
        return ""
    return "\n申请内容：\n" + "\n".join(f"  {label}：{value}" for label, value in facts.particulars)


def compose_notice(kind: str, facts: NoticeFacts) -> tuple[str, str]:
    """(title, body) of the notice of `kind` for the case described by `facts`."""
    head = f"{facts.applicant_name}：\n"
    ref = f"您申请的“{facts.item_name}”（办件编号 {facts.case_number}）"
    tail = f"\n\n{facts.department_name}\n{_d(facts.on)}"
    if kind == c.NOTICE_RECEIPT:
        body = f"{ref}已于{_d(facts.on)}收到，我们将在法定期限内作出是否受理的决定。"
        return "收件回执", head + body + tail
    if kind == c.NOTICE_ACCEPTANCE:
        limits = []
        if facts.promised_due:
            limits.append(f"承诺办结期限 {_d(facts.promised_due)}")
        if facts.statutory_due:
            limits.append(f"法定办结期限 {_d(facts.statutory_due)}")
        limit_text = "，".join(limits) if limits else "无固定办结时限"
        provisional = "（下一年度节假日安排公布后，期限将按其重新计算）" if facts.due_provisional else ""
        body = f"{ref}材料齐全、符合法定形式，决定予以受理。{limit_text}{provisional}。" + _particulars(facts)
        return "受理通知书", head + body + tail
    if kind == c.NOTICE_SUPPLEMENT:
        listed = "\n".join(f"  {i}. {name}" for i, name in enumerate(facts.missing_materials, 1))
        body = (
            f"{ref}的申请材料不齐全或者不符合法定形式，请一次性补正以下材料：\n{listed}\n"
            f"补正期间不计入办理时限。" + (f"\n说明：{facts.opinion}" if facts.opinion else "")
        )
        return "补正材料通知书", head + body + tail
    if kind == c.NOTICE_NON_ACCEPTANCE:
        body = f"{ref}，经审查决定不予受理。理由：{facts.opinion}\n如不服本决定，可依法申请行政复议或者提起行政诉讼。"
        return "不予受理通知书", head + body + tail
    if kind == c.NOTICE_SPECIAL_PROCEDURE:
        body = f"{ref}需要履行特别程序（{facts.opinion}），特别程序所需时间不计入办理时限。"
        return "特别程序告知书", head + body + tail
    if kind == c.NOTICE_APPROVAL:
        owed = ""
        if facts.owed_materials:
            owed = "\n请在规定期限内补交以下容缺材料：" + "、".join(facts.owed_materials) + "。"
        decision, title = ("准予许可", "准予许可决定书") if facts.licensing else ("予以办理", "准予办理通知书")
        body = (f"{ref}经审查符合条件，决定{decision}。" + (f"意见：{facts.opinion}" if facts.opinion else "")
                + _particulars(facts) + owed)
        return title, head + body + tail
    if kind == c.NOTICE_DENIAL:
        decision, title = ("不予许可", "不予许可决定书") if facts.licensing else ("不予办理", "不予办理通知书")
        body = (f"{ref}经审查不符合条件，决定{decision}。理由：{facts.opinion}" + _particulars(facts)
                + "\n如不服本决定，可依法申请行政复议或者提起行政诉讼。")
        return title, head + body + tail
    if kind == c.NOTICE_RESULT:
        body = f"{ref}已办结，办理结果“{facts.result_name}”已签发，可在“我的办件”中下载电子证照并扫码核验。"
        return "办结通知书", head + body + tail
    raise ValueError(f"unknown notice kind {kind!r}")


def _d_en(day: dt.date | None) -> str:
    return f"{day.day} {day:%B} {day.year}" if day else "—"


def _particulars_en(facts: NoticeFacts) -> str:
    if not facts.particulars_en:
        return ""
    return "\nParticulars of the application:\n" + "\n".join(f"  {label}: {value}" for label, value in facts.particulars_en)


def compose_notice_en(kind: str, facts: NoticeFacts) -> tuple[str, str]:
    """(title, body) of the notice of `kind` in English: the same statements as `compose_notice`
    (which stays the legal text), for readers who chose English. Names fall back to the Chinese."""
    item = facts.item_name_en or facts.item_name
    head = f"Dear {facts.applicant_name},\n"
    ref = f"Your application for “{item}” (case number {facts.case_number})"
    tail = f"\n\n{facts.department_name_en or facts.department_name}\n{_d_en(facts.on)}"
    opinion = f" Reason: {facts.opinion}" if facts.opinion else ""
    if kind == c.NOTICE_RECEIPT:
        body = f"{ref} was received on {_d_en(facts.on)}. We will decide within the statutory time limit whether to accept it."
        return "Receipt", head + body + tail
    if kind == c.NOTICE_ACCEPTANCE:
        limits = []
        if facts.promised_due:
            limits.append(f"promised completion by {_d_en(facts.promised_due)}")
        if facts.statutory_due:
            limits.append(f"statutory completion by {_d_en(facts.statutory_due)}")
        limit_text = "; ".join(limits) if limits else "no fixed time limit"
        limit_text = limit_text[0].upper() + limit_text[1:]
        provisional = (" (the dates will be recalculated once next year's public holidays are announced)"
                       if facts.due_provisional else "")
        body = (f"{ref} is complete and in the legal form, and has been accepted. {limit_text}{provisional}."
                + _particulars_en(facts))
        return "Notice of acceptance", head + body + tail
    if kind == c.NOTICE_SUPPLEMENT:
        listed = "\n".join(f"  {i}. {name}" for i, name in enumerate(facts.missing_materials_en or facts.missing_materials, 1))
        body = (f"The materials of {ref[0].lower() + ref[1:]} are incomplete or not in the legal form. "
                f"Please supply the following, all at once:\n{listed}\n"
                "The time taken to supply them does not count towards the time limit."
                + (f"\nNote: {facts.opinion}" if facts.opinion else ""))
        return "Notice to supply materials", head + body + tail
    if kind == c.NOTICE_NON_ACCEPTANCE:
        body = (f"{ref} has been examined and is not accepted.{opinion}\n"
                "If you disagree with this decision, you may apply for administrative reconsideration or bring an "
                "administrative lawsuit according to law.")
        return "Notice of non-acceptance", head + body + tail
    if kind == c.NOTICE_SPECIAL_PROCEDURE:
        body = (f"{ref} requires a special procedure ({facts.opinion}); the time the special procedure takes does not "
                "count towards the time limit.")
        return "Notice of a special procedure", head + body + tail
    if kind == c.NOTICE_APPROVAL:
        owed = ""
        if facts.owed_materials:
            owed = ("\nPlease hand in the following deferred materials within the time set: "
                    + ", ".join(facts.owed_materials_en or facts.owed_materials) + ".")
        decision, title = (("the licence is granted", "Decision to grant a licence") if facts.licensing
                           else ("it will be handled", "Notice of approval"))
        body = (f"{ref} has been examined and meets the conditions: {decision}."
                + (f" Opinion: {facts.opinion}" if facts.opinion else "") + _particulars_en(facts) + owed)
        return title, head + body + tail
    if kind == c.NOTICE_DENIAL:
        decision, title = (("the licence is refused", "Decision to refuse a licence") if facts.licensing
                           else ("it will not be handled", "Notice of refusal"))
        body = (f"{ref} has been examined and does not meet the conditions: {decision}.{opinion}" + _particulars_en(facts)
                + "\nIf you disagree with this decision, you may apply for administrative reconsideration or bring an "
                  "administrative lawsuit according to law.")
        return title, head + body + tail
    if kind == c.NOTICE_RESULT:
        result = facts.result_name_en or facts.result_name
        body = (f"{ref} is complete: the result “{result}” has been issued. You can download the electronic licence "
                "under “My cases” and verify it by scanning its code.")
        return "Notice of completion", head + body + tail
    raise ValueError(f"unknown notice kind {kind!r}")
