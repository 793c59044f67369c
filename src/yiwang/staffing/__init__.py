"""The hall's staffing planner: how many windows a target needs, dedicated versus pooled.

Pure modules, no models: `erlang` (Erlang B, C and A), `planner` (input, plan, output document),
`simulation` (a SimPy day that checks a plan), `scenarios` (the reference district's demo). The
page, the API and the command call `planner.load_request_json` / `planner.parse_request`,
`planner.plan` and `Plan.as_dict`; each refuses bad input with `core.errors.ValidationFailed`.
"""
