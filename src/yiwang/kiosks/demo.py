"""The demo's kiosk: one terminal at the district centre offering every kiosk item of the catalogue,
with a fresh token at each start (printed with the other device tokens)."""

from __future__ import annotations

from yiwang.kiosks import services
from yiwang.kiosks.models import Kiosk

DEMO_KIOSK = "FX-K01"
DEMO_SITE = "FX-CENTRE"


def ensure_demo_kiosk() -> str:
    """Register the demo kiosk once (its items: the catalogue's kiosk items); return a fresh token."""
    from yiwang.catalog.models import ServiceItem
    from yiwang.hall.models import Site

    codes = sorted(code for code, channels in ServiceItem.objects.values_list("code", "channels") if "kiosk" in (channels or []))
    kiosk = Kiosk.objects.filter(code=DEMO_KIOSK).first()
    if kiosk is None:
        kiosk, token = services.register_kiosk(code=DEMO_KIOSK, name="区行政服务中心 自助终端1号", site=Site.objects.get(code=DEMO_SITE),
                                               item_codes=codes)
        return token
    return services.reissue_token(kiosk_id=kiosk.pk)
