"""The API's JSON parser: DRF's, refusing bodies larger or deeper than any of ours (a 4xx, not a 500).

Django's DATA_UPLOAD_MAX_MEMORY_SIZE guards `request.body` and forms, not the stream DRF parses
JSON from, so the size is checked here too.
"""

from __future__ import annotations

import io

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32  # our deepest body (item form data of a bundle) is 3 levels
MAX_JSON_BYTES = 1024 * 1024  # a whole application form is a few kilobytes


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "request body too large"
    default_code = "request_too_large"


def json_depth_exceeds(value, limit: int) -> bool:
    """True if `value` nests lists/objects more than `limit` levels deep (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """JSON bodies as DRF parses them, but a too-deep document is a ParseError (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_JSON_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_JSON_BYTES:
            raise RequestTooLarge()
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)") from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)")
        return data
