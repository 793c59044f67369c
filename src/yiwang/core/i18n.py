"""Picking the reader's language for bilingual texts (messages carry Chinese and English)."""

from django.utils.translation import get_language

from yiwang.core.errors import DomainError


def english() -> bool:
    """Whether the active language is English (Chinese otherwise: the default)."""
    return (get_language() or "").lower().startswith("en")


def say(zh: str, en: str) -> str:
    """The Chinese or English text of a bilingual pair, by the active language."""
    return en if english() and en else zh


def error_text(error: DomainError) -> str:
    """A refusal's message in the reader's language."""
    return say(error.message, error.message_en)
