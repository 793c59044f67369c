"""The synonym list of the search: everyday speech -> the catalogue's official words."""

from django.db import models

from yiwang.core.fields import UpdatedAtField


class Synonym(models.Model):
    """One curated entry, edited by administrators (admin: 搜索 › 同义词).

    `term` is stored normalised (half-width, lower case, single spaces); `expansion` lists the
    official words or phrases it stands for, separated by spaces. Changing any row (its
    `updated_at`) makes every process rebuild its search index on the next query.
    """

    term = models.CharField(
        "口语词", max_length=50, unique=True, help_text="居民的说法，如“小饭店”“yyzz”“社保”；保存时统一为半角小写。"
    )
    expansion = models.CharField(
        "规范用语", max_length=300, help_text="对应的规范词或短语，以空格分隔，如“餐饮 食品经营许可”；可写英文词。"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    life_event = models.BooleanField(
        "表示人生大事", default=False, help_text="查询含此词时（如“孩子”“结婚”“开公司”）优先显示“一件事”。"
    )
    active = models.BooleanField("启用", default=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "同义词"
        verbose_name_plural = "同义词"
        ordering = ["term"]

    def __str__(self):
        return f"{self.term} → {self.expansion}"

    @property
    def expansions(self) -> tuple[str, ...]:
        return tuple(self.expansion.split())
