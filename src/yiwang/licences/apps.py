from django.apps import AppConfig
from django.core import checks


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self):
        checks.register(pdf_fonts_check)


def pdf_fonts_check(app_configs, **kwargs):
    """A warning at start-up (migrate, runserver, the demo) when a font the PDFs embed is missing:
    the site still runs, but licence and notice PDFs would fail until the package is installed."""
    from yiwang.licences.pdf import missing_fonts

    return [checks.Warning(line, id="licences.W001") for line in missing_fonts()]
