"""Limits and error codes of the search."""

QUERY_MAX_LENGTH = 100
LIMIT_MIN = 1
LIMIT_MAX = 50
LIMIT_DEFAULT = 10
PAGE_LIMIT = 20

INVALID_QUERY = "invalid_query"
INVALID_LIMIT = "invalid_limit"
INVALID_SYNONYM = "invalid_synonym"

KIND_ITEM = "item"
KIND_BUNDLE = "bundle"
