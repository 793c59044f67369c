"""A local stand-in for the data-sharing registries of other departments (another system).

Household register, property register, marriage, social and medical insurance, tax, disability,
education, health and the e-licence store each answer the same small HTTP protocol
(`app.py`), run as their own process (``yiwang registry-service``; the demo starts one, the tests
start the real process too). No Django and no database: seeded synthetic people, households,
properties and companies are shipped as JSON (`data/seed.json`). A district points the platform
at its own registry gateway with ``YIWANG_REGISTRY_URL`` and ``YIWANG_REGISTRY_CREDENTIAL``.

The protocol's security: every call carries the calling platform's credential (bearer), and a
consent token signed with that credential (`consent.py`) that names exactly the subject and the
record kind asked for; the service answers nothing else.
"""
