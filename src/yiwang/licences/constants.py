"""Verification outcomes, roles allowed to act on licences, and the fixed strings of a licence."""

# What the public verification reports. `unknown` covers "no such licence" and "the stored
# content does not match its signature": neither can be relied on, so the page says the same.
STATUS_VALID = "valid"
STATUS_REVOKED = "revoked"
STATUS_UNKNOWN = "unknown"

# Why a verification came out as it did (shown as a detail, and in the API's `detail`).
DETAIL_OK = "ok"
DETAIL_NOT_FOUND = "not_found"
DETAIL_INVALID_SIGNATURE = "invalid_signature"
DETAIL_DIGEST_MISMATCH = "digest_mismatch"

DECISION_SUFFIX = "决定书"

# Licence numbers we generate; anything else in a URL is not looked up (and never a file name).
NUMBER_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,63}"
