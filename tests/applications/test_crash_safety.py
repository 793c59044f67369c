"""A server killed in the middle of a submission leaves either a whole case or none.

A separate process submits and is killed (os._exit, no cleanup, no rollback call) after the case
row, its number and serial counter were written but before the transaction committed. The
database must show the untouched draft.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import io, json, os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    django.setup()
    from yiwang.applications import services
    from yiwang.accounts.models import User
    from yiwang.core.identifiers import id_card_check_char
    from tests.helpers import form_for  # the item's whole form, validly filled (run from the project root)

    mode = sys.argv[1]
    if mode == "prepare":
        body = "31012019900307" + "123"
        user = User.objects.create_user(username="crash", password="x" * 12, kind="resident", real_name="张三",
                                        id_number=body + id_card_check_char(body))
        draft = services.create_draft(applicant=user, item_code="310120-SCJG-01-0001",
                                      form_data=form_for("310120-SCJG-01-0001"))
        for position in (1, 2):
            services.attach_material(case_id=draft.pk, user=user, position=position,
                                     stream=io.BytesIO(b"%PDF-1.4\\n%%EOF\\n"), original_name="a.pdf")
        print(json.dumps({"case": draft.pk}))
    elif mode == "crash":
        case_id = int(sys.argv[2])
        def die(*args, **kwargs):
            os._exit(9)  # the process vanishes mid-transaction
        services._record = die
        services.submit_application(case_id=case_id, applicant=User.objects.get(username="crash"), idempotency_key="k")
    elif mode == "inspect":
        from yiwang.applications.models import Case, CaseEvent, CaseSerial
        case = Case.objects.get(pk=int(sys.argv[2]))
        print(json.dumps({"state": case.state, "number": case.number, "events": CaseEvent.objects.count(),
                          "serials": list(CaseSerial.objects.values_list("last", flat=True)),
                          "materials": case.materials.count()}))
    """
)


def _run(env, *args, check=True):
    result = subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(result.stderr[-3000:])
    return result


def test_killed_submission_leaves_the_draft_untouched(separate_database):
    env = separate_database
    case_id = json.loads(_run(env, "prepare").stdout)["case"]

    crashed = _run(env, "crash", str(case_id), check=False)
    assert crashed.returncode == 9, crashed.stderr[-2000:]

    after = json.loads(_run(env, "inspect", str(case_id)).stdout)
    assert after == {"state": "draft", "number": None, "events": 0, "serials": [], "materials": 2}
