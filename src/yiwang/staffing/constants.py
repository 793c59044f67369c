"""Error codes and limits of the staffing planner (no Django: the pure modules import this)."""

# Error codes (ValidationFailed.code); every one is a 400 from the API and exit 2 from `yiwang staffing`.
MALFORMED_JSON = "malformed_json"
BAD_INPUT = "bad_staffing_input"  # not an object, a key missing, the wrong type
NOT_A_NUMBER = "not_a_number"
NO_QUEUES = "no_queues"
TOO_MANY_QUEUES = "too_many_queues"
BAD_QUEUE_NAME = "bad_queue_name"
DUPLICATE_QUEUE = "duplicate_queue"
NEGATIVE_ARRIVALS = "negative_arrivals"
BAD_SERVICE_TIME = "bad_service_time"
BAD_SERVICE_LEVEL = "bad_service_level"
NEGATIVE_WAIT = "negative_wait"
BAD_PATIENCE = "bad_patience"
BAD_INTERVALS = "bad_intervals"
LOAD_TOO_HIGH = "load_too_high"
OUT_OF_RANGE = "value_out_of_range"  # beyond any hall: more arrivals than a city, a service longer than a day
UNKNOWN_SCENARIO = "unknown_scenario"

ERROR_CODES = (MALFORMED_JSON, BAD_INPUT, NOT_A_NUMBER, NO_QUEUES, TOO_MANY_QUEUES, BAD_QUEUE_NAME, DUPLICATE_QUEUE,
               NEGATIVE_ARRIVALS, BAD_SERVICE_TIME, BAD_SERVICE_LEVEL, NEGATIVE_WAIT, BAD_PATIENCE, BAD_INTERVALS,
               LOAD_TOO_HIGH, OUT_OF_RANGE, UNKNOWN_SCENARIO)

MAX_QUEUES = 500  # a hall has tens of queues; more is a mistake, not a plan
MAX_INTERVALS = 1440  # one a minute for a whole day
MAX_NAME_LENGTH = 200  # the catalogue's longest English department name is over 100
MAX_ARRIVALS_PER_HOUR = 1_000_000
MAX_SERVICE_MINUTES = 1440
MAX_WAIT_SECONDS = 86_400
MAX_PATIENCE_MINUTES = 100_000  # some 70 days: as good as infinite patience (Erlang C)
MAX_INPUT_BYTES = 1024 * 1024  # like the API's JSON bodies (core.parsers.MAX_JSON_BYTES)
