"""Identity card numbers never reach the logs in clear."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from tests.factories import valid_id_number
from yiwang.accounts import services
from yiwang.core.logging import MaskPIIFilter


def _record(msg, *args):
    return logging.LogRecord("yiwang.test", logging.INFO, __file__, 1, msg, args, None)


def test_filter_masks_an_id_number_in_the_arguments():
    record = _record("lookup of %s failed", "31012019900307123X")
    assert MaskPIIFilter().filter(record) is True
    assert record.getMessage() == "lookup of 310120********123X failed"


def test_filter_masks_lower_case_x_and_phone_in_the_message():
    record = _record("id 31012019900307123x phone 13912345678")
    MaskPIIFilter().filter(record)
    assert record.getMessage() == "id 310120********123x phone 139****5678"


@pytest.mark.parametrize(("message", "masked"), [
    ("sms to +8613912345678 sent", "sms to +86139****5678 sent"),
    ("sms to +86 13912345678 sent", "sms to +86 139****5678 sent"),
    ("call 0086-13912345678", "call 0086-139****5678"),
    ("id=31012019900307123Xabc", "id=310120********123Xabc"),
    ("user31012019900307123X logged", "user310120********123X logged"),
])
def test_filter_masks_country_codes_and_numbers_next_to_letters(message, masked):
    record = _record(message)
    MaskPIIFilter().filter(record)
    assert record.getMessage() == masked


def test_filter_leaves_case_and_bundle_numbers_alone():
    record = _record("case 310120SCJG01000120260310000001 and bundle 310120YJS00120260310000001 and tel 021-57123456")
    MaskPIIFilter().filter(record)
    assert record.getMessage() == "case 310120SCJG01000120260310000001 and bundle 310120YJS00120260310000001 and tel 021-57123456"


def test_filter_leaves_other_text_alone():
    record = _record("case %s accepted", "310120-SCJG-01-0001")
    MaskPIIFilter().filter(record)
    assert record.getMessage() == "case 310120-SCJG-01-0001 accepted"


def test_configured_console_handler_masks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPIIFilter())
    logger = logging.getLogger("yiwang.accounts.test_masking")
    logger.addHandler(handler)
    try:
        logger.warning("resident %s", "310120198511204321")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "resident 310120********4321\n"


def test_settings_install_the_filter_on_the_console_handler():
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["filters"] == ["mask_pii"]
    assert settings.LOGGING["filters"]["mask_pii"]["()"] == "yiwang.core.logging.MaskPIIFilter"


@pytest.mark.django_db
def test_registration_logs_no_id_number(caplog):
    number = valid_id_number(seq=951)
    with caplog.at_level(logging.INFO, logger="yiwang"):
        services.register_resident(username="logcheck", password="long-enough-1", real_name="王五", id_number=number)
    assert "resident registered: logcheck" in caplog.text
    assert number not in caplog.text


def test_filter_masks_an_id_number_inside_a_traceback():
    try:
        raise LookupError("no person 31012019900307123X")
    except LookupError:
        record = logging.LogRecord("yiwang.test", logging.ERROR, __file__, 1, "lookup failed", (), sys.exc_info())
    MaskPIIFilter().filter(record)
    printed = logging.Formatter().format(record)
    assert "31012019900307123X" not in printed
    assert "LookupError: no person 310120********123X" in printed
