"""Data sharing (免交): materials fetched from other departments' registries instead of uploaded.

- `adapters.py`: the adapter interface and registry (``http`` = the registry protocol with
  timeouts and a circuit breaker; ``platform_elicence`` = the platform's own licences first);
- `services.py`: ``grant_consent``, ``withdraw_consent``, ``fetch_material_for_case``,
  ``grant_and_fetch`` (consent, audited fetch, attach through the applications app),
  ``record_staff_view`` (staff reading a fetched record is audited like a fetch, outcome "viewed");
- `selectors.py`: ``accesses_for_subject`` (residents see who looked at their data),
  ``consents_of``, ``access_log`` (auditors; masked), ``exemption_report``, ``fetched_record``;
- `record_display.py` + `presentation.shared_record_view`: a fetched record as labelled, masked
  fields for the officer's case page;
- pages under /data-sharing/, the API under /api/v1/, and the ``{% fetch_control case row %}``
  template tag (`templatetags/registries_tags.py`) for the case's material rows.

The registries themselves are another system: `yiwang.registry_service` (``yiwang registry-service``).
Settings read (all optional, via getattr): ``YIWANG_REGISTRY_URL`` (default
http://127.0.0.1:8301), ``YIWANG_REGISTRY_CREDENTIAL``, ``YIWANG_REGISTRY_PLATFORM`` (the
platform's name at the registry, default ``yiwang-demo``), ``YIWANG_REGISTRY_ADAPTERS``, and the
timeout and breaker overrides named in `adapters.py`.
"""
