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
