"""Timestamp fields that read time through `core.clock`.

Django's `auto_now` / `auto_now_add` read the wall clock directly, which would put rows written
under a frozen or simulated clock at the real date; these fields take the same instant the
services see.
"""

from __future__ import annotations

from django.db import models

from yiwang.core import clock


class CreatedAtField(models.DateTimeField):
    """Set from `clock.now()` when a row is first saved (unless a value was given)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        if add and getattr(model_instance, self.attname) is None:
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, default in (("editable", False), ("blank", True)):
            if kwargs.get(key, not default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs


class UpdatedAtField(CreatedAtField):
    """Set from `clock.now()` on every save (`QuerySet.update` and `bulk_update` must set it themselves)."""

    def pre_save(self, model_instance, add):
        value = clock.now()
        setattr(model_instance, self.attname, value)
        return value
