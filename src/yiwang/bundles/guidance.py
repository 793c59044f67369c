"""Guidance of a bundle (一件事引导), as pure rules: no Django, no database.

A bundle asks a short questionnaire; its rules (data, edited in the back office) decide which
member items apply:

    rules[] = {"when": {question id: option value, ...}, "add_items": [...], "skip_items": [...]}

A rule applies when every condition holds. `add_items` adds items to the default members,
`skip_items` removes default members. Every decision carries a reason naming the question and
the answer, in Chinese and English, so the resident sees why each item was added or skipped.

Relevance: a question that rules mention is asked only while one of those rules can still apply
given the answers to the questions before it. Once earlier answers rule out every rule that
mentions a question (转学: the residence-permit question after “学生是否为本市户籍？” “是”), the
question is irrelevant: the page hides it and its answer, if any, is ignored, so the result never
depends on it. Only earlier questions count, so answering a later question first never hides an
earlier one. A question no rule mentions is always shown.

Refusals (collected, never raised, so a page can show all of them at once):

- ``unknown_question``: an answer to a question the bundle does not ask;
- ``invalid_answer``: a value that is not one of the question's options;
- ``missing_answers``: a question some rule still depends on is unanswered. A question is needed
  while at least one rule that mentions it is not already ruled out by the other answers, so the
  list only shrinks as the resident answers (every needed question is named in the first round);
- ``contradictory_answers``: the applicable rules both add and skip the same item. There is no
  precedence: the resident is told which answers conflict and keeps them to change one, because
  silently preferring either side would hand in (or drop) an application the resident did not
  choose.

Application windows (受理时段): `window_status` tells whether a yearly "MM-DD" window is open on a
day, when it next opens and when the current (or next) one closes; windows may span New Year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

NECESSITY_REQUIRED = "1"
NECESSITY_OPTIONAL = "2"
NECESSITY_DEFERRABLE = "3"
# The strongest necessity wins when several items need the same material.
_NECESSITY_STRENGTH = {NECESSITY_REQUIRED: 3, NECESSITY_DEFERRABLE: 2, NECESSITY_OPTIONAL: 1}

UNKNOWN_QUESTION = "unknown_question"
INVALID_ANSWER = "invalid_answer"
CONTRADICTORY_ANSWERS = "contradictory_answers"
MISSING_ANSWERS = "missing_answers"
# Which code names a refusal that has several kinds of errors: the one to fix first.
ERROR_PRIORITY = (UNKNOWN_QUESTION, INVALID_ANSWER, CONTRADICTORY_ANSWERS, MISSING_ANSWERS)


@dataclass(frozen=True)
class Decision:
    """One member item and why it applies (or was skipped)."""

    code: str
    reason: str
    reason_en: str


@dataclass(frozen=True)
class GuidanceError:
    code: str
    message: str
    message_en: str
    question_id: str = ""
    item_code: str = ""


@dataclass
class GuidanceResult:
    items: list[Decision] = field(default_factory=list)
    skipped: list[Decision] = field(default_factory=list)
    errors: list[GuidanceError] = field(default_factory=list)
    # Questions the earlier answers made irrelevant (hidden, their answers ignored), in question order.
    irrelevant_questions: list[str] = field(default_factory=list)
    # The answers the result rests on: valid answers to relevant questions.
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def item_codes(self) -> list[str]:
        return [decision.code for decision in self.items]

    @property
    def missing_questions(self) -> list[str]:
        return [error.question_id for error in self.errors if error.code == MISSING_ANSWERS]

    def error_code(self) -> str:
        """The code of the refusal as a whole (the kind of error to fix first)."""
        present = {error.code for error in self.errors}
        return next(code for code in ERROR_PRIORITY if code in present)


def _normalized_answers(answers: Mapping[str, Any] | None) -> dict[str, Any]:
    # A blank answer (an untouched radio group posted by a page) is no answer.
    return {str(key): value for key, value in (answers or {}).items() if value not in (None, "")}


def _option_label(question: Mapping[str, Any], value: str, *, english: bool = False) -> str:
    """The option's label (its `label_en` for `english`, the Chinese label when it has none)."""
    for option in question.get("options") or []:
        if option.get("value") == value:
            return str((english and option.get("label_en")) or option.get("label") or value)
    return value


def _because(conditions: Mapping[str, str], questions: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """'您在“问题”中选择了“答案”' for every condition of a rule, in both languages."""
    zh_parts = []
    en_parts = []
    for question_id, value in conditions.items():
        question = questions.get(question_id, {})
        text = str(question.get("text") or question_id)
        text_en = str(question.get("text_en") or text)
        zh_parts.append(f"您在“{text}”中选择了“{_option_label(question, value)}”")
        en_parts.append(f"you answered “{_option_label(question, value, english=True)}” to “{text_en}”")
    return "，且".join(zh_parts), " and ".join(en_parts)


def _name(code: str, item_names: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    zh, en = item_names.get(code, (code, code))
    return zh or code, en or zh or code


def _rule_conditions(rules: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    # A rule without conditions is refused at import; never let it apply blindly (nor count here).
    conditions = ({str(k): v for k, v in (rule.get("when") or {}).items()} for rule in rules or [])
    return [when for when in conditions if when]


def _allowed_values(question: Mapping[str, Any]) -> list[str]:
    return [str(option.get("value")) for option in question.get("options") or []]


def _relevance(
    questions: list[Mapping[str, Any]], rules: list[Mapping[str, Any]] | None, given: Mapping[str, Any]
) -> tuple[dict[str, str], list[str]]:
    """(valid answers to relevant questions, ids of irrelevant questions), walking the questions in order.

    A question is irrelevant when rules mention it and every one of them has a condition on an
    earlier question whose (valid, relevant) answer differs from it.
    """
    conditions = _rule_conditions(rules)
    valid: dict[str, str] = {}
    irrelevant: list[str] = []
    for question in questions or []:
        question_id = str(question.get("id"))
        mentioning = [when for when in conditions if question_id in when]
        # `valid` holds only questions before this one here, so only earlier answers can rule it out.
        if mentioning and all(any(q in valid and valid[q] != v for q, v in when.items()) for when in mentioning):
            irrelevant.append(question_id)
            continue
        value = given.get(question_id)
        if isinstance(value, str) and value in _allowed_values(question):
            valid[question_id] = value
    return valid, irrelevant


def irrelevant_questions(
    questions: list[Mapping[str, Any]], rules: list[Mapping[str, Any]] | None, answers: Mapping[str, Any] | None
) -> list[str]:
    """Ids of the questions that the earlier answers make irrelevant (to hide), in question order."""
    return _relevance(questions, rules, _normalized_answers(answers))[1]


def evaluate(
    questions: list[Mapping[str, Any]],
    rules: list[Mapping[str, Any]],
    default_items: Iterable[str],
    answers: Mapping[str, Any] | None,
    *,
    item_names: Mapping[str, tuple[str, str]] | None = None,
) -> GuidanceResult:
    """Decide the applicable member items from the answers, each with its reason.

    `item_names` maps an item code to its (Chinese, English) name for the reasons. Items keep the
    order of the default members, then added items in rule order. With errors the result still
    holds what the answers given so far decide (for a live page), but it must not be acted on.
    Answers to questions the earlier answers made irrelevant are ignored, even invalid ones: the
    result is the same whatever they say (see `irrelevant_questions`).
    """
    item_names = item_names or {}
    by_id = {str(q.get("id")): q for q in questions or []}
    valid, irrelevant = _relevance(questions, rules, _normalized_answers(answers))
    given = {q: v for q, v in _normalized_answers(answers).items() if q not in irrelevant}
    result = GuidanceResult(irrelevant_questions=irrelevant, answers=dict(valid))

    for question_id in given:
        question = by_id.get(question_id)
        if question is None:
            result.errors.append(GuidanceError(
                UNKNOWN_QUESTION,
                f"没有编号为“{question_id}”的引导问题。",
                f"There is no guidance question {question_id!r}.",
                question_id=question_id,
            ))
            continue
        if question_id not in valid:
            allowed = _allowed_values(question)
            labels = "、".join(f"“{_option_label(question, v)}”" for v in allowed)
            result.errors.append(GuidanceError(
                INVALID_ANSWER,
                f"“{question.get('text')}”的回答无效，请在{labels}中选择。",
                f"The answer to “{question.get('text_en') or question.get('text')}” is not one of its options ({', '.join(allowed)}).",
                question_id=question_id,
            ))

    applicable = []
    needed: list[str] = []
    for rule in rules or []:
        conditions = {str(k): v for k, v in (rule.get("when") or {}).items()}
        if not conditions:
            continue  # a rule without conditions is refused at import; never let it apply blindly
        ruled_out = any(q in valid and valid[q] != v for q, v in conditions.items())
        if ruled_out:
            continue
        unanswered = [q for q in conditions if q not in valid and q not in given]
        if unanswered:
            for question_id in unanswered:
                if question_id not in needed:
                    needed.append(question_id)
            continue
        if all(valid.get(q) == v for q, v in conditions.items()):
            applicable.append((rule, conditions))

    for question_id in sorted(needed, key=lambda q: list(by_id).index(q) if q in by_id else len(by_id)):
        question = by_id.get(question_id)
        if question is None:
            # A rule mentions a question the bundle no longer asks: a catalogue slip, not the
            # resident's; the rule can never apply, so it is left out.
            continue
        result.errors.append(GuidanceError(
            MISSING_ANSWERS,
            f"请回答：“{question.get('text')}”",
            f"Please answer: “{question.get('text_en') or question.get('text')}”",
            question_id=question_id,
        ))

    defaults = list(dict.fromkeys(default_items))
    added: dict[str, list[tuple[str, str]]] = {}
    skipped: dict[str, list[tuple[str, str]]] = {}
    for rule, conditions in applicable:
        because = _because(conditions, by_id)
        for code in rule.get("add_items") or []:
            added.setdefault(code, []).append(because)
        for code in rule.get("skip_items") or []:
            skipped.setdefault(code, []).append(because)

    for code in [c for c in added if c in skipped]:
        zh, en = _name(code, item_names)
        result.errors.append(GuidanceError(
            CONTRADICTORY_ANSWERS,
            f"回答相互矛盾：因{added[code][0][0]}，需增加“{zh}”；又因{skipped[code][0][0]}，需免办“{zh}”。请修改其中一个回答。",
            f"Your answers contradict each other: “{en}” is added because {added[code][0][1]}, "
            f"but skipped because {skipped[code][0][1]}. Please change one of these answers.",
            item_code=code,
        ))

    for code in defaults:
        zh, en = _name(code, item_names)
        if code in skipped and code not in added:
            why_zh, why_en = skipped[code][0]
            result.skipped.append(Decision(code, f"因为{why_zh}，无需办理“{zh}”。", f"“{en}” is not needed because {why_en}."))
        elif code in added:
            why_zh, why_en = added[code][0]
            result.items.append(Decision(code, f"本一件事的基本事项；因为{why_zh}，同样需要办理“{zh}”。",
                                         f"A standard member of this bundle; also needed because {why_en}."))
        else:
            result.items.append(Decision(code, f"本一件事的基本事项“{zh}”。", f"“{en}” is a standard member of this bundle."))
    for code, reasons in added.items():
        if code in defaults:
            continue
        zh, en = _name(code, item_names)
        if code in skipped:
            continue  # contradictory: reported above, neither added nor skipped
        result.items.append(Decision(
            code,
            "；".join(f"因为{why_zh}，增加“{zh}”" for why_zh, _ in reasons) + "。",
            f"“{en}” is added because " + "; and because ".join(why_en for _, why_en in reasons) + ".",
        ))
    for code, reasons in skipped.items():
        if code not in defaults and code not in added:
            # Skipping a non-member changes nothing; say so rather than hide the rule.
            zh, en = _name(code, item_names)
            why_zh, why_en = reasons[0]
            result.skipped.append(Decision(code, f"因为{why_zh}，无需办理“{zh}”。", f"“{en}” is not needed because {why_en}."))
    return result


def answer_combinations(questions: list[Mapping[str, Any]]) -> Iterable[dict[str, str]]:
    """Every complete set of answers to the questions (for checks over a whole bundle)."""
    combos: list[dict[str, str]] = [{}]
    for question in questions or []:
        values = [str(option.get("value")) for option in question.get("options") or []]
        combos = [{**combo, str(question.get("id")): value} for combo in combos for value in values]
    return combos


# ---------------------------------------------------------------------------------------------
# Materials of the applicable items
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemMaterials:
    """An item's code and its materials: dicts with position, name, necessity, exemptible_via."""

    code: str
    materials: list[Mapping[str, Any]]


@dataclass
class MergedMaterial:
    name: str  # the first item's name for it
    exemptible_via: str
    necessity: str  # the strongest over the items that need it
    items: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # item code -> material position
    necessity_by_item: dict[str, str] = field(default_factory=dict)
    names_by_item: dict[str, str] = field(default_factory=dict)  # item code -> the item's own name for it
    name_en: str = ""  # the English of `name` ("" when the catalogue gives none)
    names_en_by_item: dict[str, str] = field(default_factory=dict)  # item code -> English of its own name

    @property
    def names(self) -> list[str]:
        """Every name the items give this material, first seen first."""
        return list(dict.fromkeys(self.names_by_item.values())) or [self.name]

    @property
    def names_en(self) -> list[str]:
        """`names` in English (each the Chinese where there is no English), in the same order."""
        english = {self.names_by_item[code]: self.names_en_by_item.get(code) or self.names_by_item[code]
                   for code in self.names_by_item}
        return [english.get(name, name) for name in self.names] if self.names_by_item else [self.name_en or self.name]

    @property
    def record(self) -> str:
        """The shared record that stands for every use of it ("" for a material only uploaded)."""
        return self.exemptible_via


def _never(_record: str) -> bool:
    return False


def merge_materials(items: Iterable[ItemMaterials], *, one_per_record: Callable[[str], bool] = _never) -> list[MergedMaterial]:
    """The union of the items' materials in first-seen order, one entry per (name, exemptible_via);
    and one entry per shared record, whatever each item calls it, for the records
    `one_per_record` says are always the same one (the applicant's own ID card: "经办人身份证件" and
    "法定代表人或者经办人身份证件" of a resident founding a company are both their ID card). Other
    records keep one entry per name: a shareholder's business licence is not the new company's.

    An item that asks for the same record twice under two names keeps the second as its own
    entry (one position per item and entry)."""
    merged: dict[tuple[str, str], MergedMaterial] = {}
    for item in items:
        for material in item.materials:
            name = str(material["name"])
            via = str(material.get("exemptible_via") or "")
            necessity = str(material.get("necessity") or NECESSITY_OPTIONAL)
            key = ("", via) if via and one_per_record(via) else (name, via)
            if key[0] == "" and key in merged and item.code in merged[key].positions:
                key = (name, via)
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = MergedMaterial(name=name, exemptible_via=via, necessity=necessity,
                                                     name_en=str(material.get("name_en") or ""))
            elif _NECESSITY_STRENGTH.get(necessity, 0) > _NECESSITY_STRENGTH.get(entry.necessity, 0):
                entry.necessity = necessity
            if item.code not in entry.positions:
                entry.items.append(item.code)
                entry.positions[item.code] = int(material["position"])
                entry.necessity_by_item[item.code] = necessity
                entry.names_by_item[item.code] = name
                entry.names_en_by_item[item.code] = str(material.get("name_en") or "")
    return list(merged.values())


# ---------------------------------------------------------------------------------------------
# Application windows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowStatus:
    open: bool
    next_opens: dt.date | None  # None while open
    closes_on: dt.date  # the close of the current window, or of the next one when closed
    opens_on: dt.date  # the opening of the current window, or of the next one when closed


def parse_month_day(value: str) -> tuple[int, int]:
    """(month, day) of "MM-DD"; ValueError when it is no day of the year."""
    month_text, _, day_text = (value or "").partition("-")
    month, day = int(month_text), int(day_text)
    dt.date(2024, month, day)  # a leap year, so "02-29" is valid
    return month, day


def _on(year: int, month_day: tuple[int, int]) -> dt.date:
    month, day = month_day
    if (month, day) == (2, 29):
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 2, 28)  # a window on 29 February falls back to the 28th
    return dt.date(year, month, day)


def window_status(opens: str, closes: str, today: dt.date) -> WindowStatus:
    """Whether the yearly window opens..closes (both days included) is open on `today`.

    A window whose close comes before its opening in the year spans New Year (e.g. 12-01..01-15).
    """
    open_md, close_md = parse_month_day(opens), parse_month_day(closes)
    year = today.year
    if open_md <= close_md:
        opens_on, closes_on = _on(year, open_md), _on(year, close_md)
        if opens_on <= today <= closes_on:
            return WindowStatus(True, None, closes_on, opens_on)
        if today < opens_on:
            return WindowStatus(False, opens_on, closes_on, opens_on)
        nxt = _on(year + 1, open_md)
        return WindowStatus(False, nxt, _on(year + 1, close_md), nxt)
    # Across New Year: open from `opens` of one year to `closes` of the next.
    closes_this_year = _on(year, close_md)
    opens_this_year = _on(year, open_md)
    if today <= closes_this_year:
        return WindowStatus(True, None, closes_this_year, _on(year - 1, open_md))
    if today >= opens_this_year:
        return WindowStatus(True, None, _on(year + 1, close_md), opens_this_year)
    return WindowStatus(False, opens_this_year, _on(year + 1, close_md), opens_this_year)


@dataclass(frozen=True)
class Window:
    """A yearly application window of a bundle or (later) of one item, with whose it is."""

    owner: str  # the bundle's or item's name, for the message
    opens: str
    closes: str


@dataclass(frozen=True)
class ClosedWindow:
    window: Window
    status: WindowStatus


def first_closed_window(windows: Iterable[Window], today: dt.date) -> ClosedWindow | None:
    """The first of the windows that is closed on `today` (None when every one is open)."""
    for window in windows:
        status = window_status(window.opens, window.closes, today)
        if not status.open:
            return ClosedWindow(window, status)
    return None


@dataclass(frozen=True)
class MemberResult:
    """What one member item produces and needs: its code, result name and materials (rules snapshot)."""

    code: str
    result_name: str
    materials: list[Mapping[str, Any]]


def results_passed_on(members: Iterable[MemberResult], record_names: Mapping[str, str]) -> dict[str, dict[int, str]]:
    """Materials that another member's result supplies, per member: {item code: {position: producer code}}.

    A member's needed material (required or 容缺后补) is supplied by another member when the
    material can be fetched from the e-licence store (`exemptible_via` "elicence:<kind>") and that
    record kind's name (`record_names`, e.g. "营业执照") is the other member's result. So in
    企业开办 the company registration's 营业执照 serves the seal, tax and insurance registrations,
    which then need not (and could not yet) bring it.
    """
    members = list(members)
    producers = {m.result_name: m.code for m in members if m.result_name}
    passed_on: dict[str, dict[int, str]] = {}
    for member in members:
        for material in member.materials:
            via = material.get("exemptible_via") or ""
            if not via.startswith("elicence:") or material.get("necessity") == NECESSITY_OPTIONAL:
                continue
            producer = producers.get(record_names.get(via, ""))
            if producer and producer != member.code:
                passed_on.setdefault(member.code, {})[material["position"]] = producer
    return passed_on
