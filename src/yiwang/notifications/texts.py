"""Message texts in Chinese and English, and their strict rendering (pure).

A text names its variables as {name}. Rendering refuses a text that names a variable the event
does not provide (a typo in a template must not send "{case_nubmer}" to a resident).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from yiwang.notifications import constants as c

SIGNATURE = {"zh-hans": "【奉贤一网通办】", "en": "[Fengxian Gov Services] "}

# kind -> language -> (title, body). The body is also the SMS text (after the signature).
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    c.APPOINTMENT_MISSED: {
        "zh-hans": ("预约未到提醒", "您预约的{site}“{group}”{day} {start}未按时签到，已记爽约一次。{period}天内爽约满{limit}次将暂停网上预约。"),
        "en": ("Missed appointment", "You did not check in for your appointment ({group_en}, {site_en}, {day} {start}); it counts as missed. "
               "{limit} missed appointments within {period} days suspend online booking."),
    },
    c.BOOKING_SUSPENDED: {
        "zh-hans": ("网上预约已暂停", "因{period}天内爽约或取消预约次数过多，您的网上预约暂停至{until}，期间可到大厅现场取号。"),
        "en": ("Online booking suspended", "Because of too many missed or cancelled appointments within {period} days, online booking is "
               "suspended until {until}; you can still take a number at the hall."),
    },
    c.RECEIVED: {
        "zh-hans": ("已收到您的申请", "您申请的“{item_name}”已提交，办件编号{case_number}，我们将尽快审查。"),
        "en": ("Application received", "Your application for {item_name_en} was submitted as case {case_number}; we will review it shortly."),
    },
    c.ACCEPTED: {
        "zh-hans": ("申请已受理", "您申请的“{item_name}”（{case_number}）已受理，承诺于{due}前办结。"),
        "en": ("Application accepted", "Your application for {item_name_en} ({case_number}) was accepted; it will be decided by {due}."),
    },
    c.SUPPLEMENT_REQUESTED: {
        "zh-hans": ("请补正材料", "您申请的“{item_name}”（{case_number}）需补正以下材料：{materials}。请登录一网通办上传。"),
        "en": ("Please supply materials", "Your application for {item_name_en} ({case_number}) needs these materials: {materials_en}. Please sign in and upload them."),
    },
    c.NOT_ACCEPTED: {
        "zh-hans": ("申请不予受理", "您申请的“{item_name}”（{case_number}）不予受理，理由：{opinion}。"),
        "en": ("Application not accepted", "Your application for {item_name_en} ({case_number}) was not accepted. Reason: {opinion}."),
    },
    c.APPROVED: {
        "zh-hans": ("审批通过", "您申请的“{item_name}”（{case_number}）已审批通过，正在出具结果。"),
        "en": ("Application approved", "Your application for {item_name_en} ({case_number}) was approved; the result is being issued."),
    },
    c.DENIED: {
        "zh-hans": ("不予许可", "您申请的“{item_name}”（{case_number}）决定不予许可，理由：{opinion}。"),
        "en": ("Application refused", "Your application for {item_name_en} ({case_number}) was refused. Reason: {opinion}."),
    },
    c.RESULT_READY: {
        "zh-hans": ("办理结果已出具", "您申请的“{item_name}”（{case_number}）已出具{result_name}，编号{licence_number}，可登录一网通办下载。"),
        "en": ("Result issued", "The {result_name_en} for {item_name_en} ({case_number}) was issued as {licence_number}; sign in to download it."),
    },
    c.PICKUP_READY: {
        "zh-hans": ("可领取办理结果", "您申请的“{item_name}”（{case_number}）的{result_name}可到{place}领取。"),
        "en": ("Result ready for collection", "The {result_name_en} for {item_name_en} ({case_number}) can be collected at {place_en}."),
    },
    c.DEADLINE_APPROACHING: {
        "zh-hans": ("办件临近期限", "办件{case_number}（{item_name}）将于{due}到期（{level}），请及时办理。"),
        "en": ("Case nearing its deadline", "Case {case_number} ({item_name_en}) is due on {due} ({level_en}); please act on it."),
    },
    c.RATING_REPLIED: {
        "zh-hans": ("您的评价已有答复", "您对“{subject}”的评价（{level}）已由{department}处理（{outcome}）：{reply}。请登录一网通办对处理结果评价。"),
        "en": ("Your rating has been answered", "{department_en} answered your rating ({level_en}) of {subject_en} ({outcome_en}): {reply}. "
               "Please sign in and tell us whether this settles it."),
    },
    c.RECTIFICATION_ASSIGNED: {
        "zh-hans": ("新的差评整改任务", "“{subject}”收到{level}评价，请于{due}前回访并整改。"),
        "en": ("A bad rating to follow up", "{subject_en} was rated “{level_en}”; call the resident back and resolve it by {due}."),
    },
    c.RECTIFICATION_OVERDUE: {
        "zh-hans": ("差评整改已超期", "“{subject}”的差评整改（{department}）已超过期限{due}，请督办。"),
        "en": ("Rectification overdue", "The rectification of the bad rating of {subject_en} ({department_en}) passed its deadline, {due}."),
    },
    c.KIOSK_SILENT: {
        "zh-hans": ("自助终端失联", "{site}的自助终端{kiosk}已 {minutes} 分钟没有心跳，请检查网络和电源。"),
        "en": ("Kiosk silent", "Kiosk {kiosk} at {site_en} has sent no heartbeat for {minutes} min; check its network and power."),
    },
    c.DATA_ACCESSED: {
        "zh-hans": ("您的数据被调取", "您的{record_name}于{at}由{accessor}调取，{purpose}。如有疑问可在“我的数据”查看。"),
        "en": ("Your records were accessed", "Your {record_name} was fetched on {at} by {accessor} {purpose_en}. See My data for details."),
    },
}


class UnknownVariable(Exception):
    """A text names a variable the event does not provide."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


def variables_of(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def render(kind: str, language: str, variables: dict[str, str], texts: dict | None = None) -> Rendered:
    """The message of `kind` in `language` (Chinese if the language has no text)."""
    by_language = (texts or TEXTS)[kind]
    title, body = by_language.get(language) or by_language["zh-hans"]
    for name in sorted(variables_of(title) | variables_of(body)):
        if name not in variables:
            raise UnknownVariable(name)
    return Rendered(title=title.format(**variables), body=body.format(**variables))


def sms_text(language: str, body: str) -> str:
    return f"{SIGNATURE.get(language, SIGNATURE['zh-hans'])}{body}"
