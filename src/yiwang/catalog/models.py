"""The catalogue of service items (事项目录) of one district."""

from django.core.exceptions import ValidationError
from django.db import models

from yiwang.catalog import constants as c
from yiwang.core.fields import UpdatedAtField
from yiwang.core.identifiers import IdentifierError, normalize_credit_code


def validate_credit_code(value: str) -> None:
    try:
        normalize_credit_code(value)
    except IdentifierError as exc:
        raise ValidationError(exc.message, code=exc.code) from None


class Region(models.Model):
    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    is_home = models.BooleanField("本平台所属区域", default=False)

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"

    def __str__(self):
        return f"{self.name}（{self.code}）"


class CodeLabel(models.Model):
    """A label of a code table carried by the catalogue file (a district may load other tables)."""

    table = models.CharField("代码表", max_length=40)
    code = models.CharField("代码", max_length=40)
    label = models.CharField("名称", max_length=200)

    class Meta:
        verbose_name = "代码表项"
        verbose_name_plural = "代码表"
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="codelabel_unique")]

    def __str__(self):
        return f"{self.table}:{self.code} {self.label}"


class Department(models.Model):
    code = models.CharField("部门编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    unit = models.CharField("所属单位", max_length=100)
    # Sections of one organ share the organ's code (the organ is the legal implementer).
    credit_code = models.CharField("统一社会信用代码", max_length=18, validators=[validate_credit_code])
    notes = models.TextField("备注", blank=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self):
        return self.name


class DataRegistry(models.Model):
    """A data-sharing source of another department (household register, property register, ...)."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    provider = models.CharField("提供部门", max_length=20)
    custodian = models.CharField("归集单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "共享数据源"
        verbose_name_plural = "共享数据源"
        ordering = ["code"]

    def __str__(self):
        return self.name


class RegistryRecordKind(models.Model):
    registry = models.ForeignKey(DataRegistry, related_name="record_kinds", on_delete=models.CASCADE)
    kind = models.CharField("记录类型", max_length=60)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)

    class Meta:
        verbose_name = "共享数据记录类型"
        verbose_name_plural = "共享数据记录类型"
        constraints = [models.UniqueConstraint(fields=["registry", "kind"], name="registry_record_kind_unique")]

    def __str__(self):
        return f"{self.registry.code}:{self.kind} {self.name}"


class ServiceItem(models.Model):
    """One service item with the fields of the national implementation list.

    `version` increases whenever the rules a case depends on change (limits, materials, flow);
    a case keeps a snapshot of the version it was submitted under.
    """

    code = models.CharField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=200, db_index=True)
    name_en = models.CharField("英文名称", max_length=300, blank=True)
    department = models.ForeignKey(Department, verbose_name="实施部门", related_name="items", on_delete=models.PROTECT)
    item_type = models.CharField("事项类型", max_length=2, choices=c.ITEM_TYPES)
    level = models.PositiveSmallIntegerField("行使层级", default=4)
    legal_basis = models.TextField("设定依据", blank=True)
    legal_basis_en = models.TextField("设定依据（英文）", blank=True)
    description = models.TextField("受理条件", blank=True)
    description_en = models.TextField("受理条件（英文）", blank=True)
    statutory_limit_value = models.PositiveIntegerField("法定办结时限", null=True, blank=True)
    statutory_limit_unit = models.CharField("法定时限单位", max_length=20, choices=c.TIME_UNITS, default=c.WORKING_DAY)
    promised_limit_value = models.PositiveIntegerField("承诺办结时限", null=True, blank=True, help_text="0 表示当场办结")
    promised_limit_unit = models.CharField("承诺时限单位", max_length=20, choices=c.TIME_UNITS, default=c.WORKING_DAY)
    case_type = models.CharField("办件类型", max_length=10, choices=c.CASE_TYPES)
    approval_levels = models.PositiveSmallIntegerField("审批层级", default=1, help_text="1 = 无科层：窗口人员一人审批")
    online_depth = models.PositiveSmallIntegerField("网办深度", choices=c.ONLINE_DEPTHS, default=4)
    max_visits = models.PositiveSmallIntegerField("到现场次数", default=0)
    channels = models.JSONField("办理渠道", default=list, blank=True)
    service_objects = models.JSONField("服务对象", default=list, blank=True)
    fees = models.JSONField("收费", default=list, blank=True)
    cross_region = models.JSONField("跨区域通办地区", default=list, blank=True)
    cross_region_mode = models.CharField("跨区域办理模式", max_length=20, blank=True)
    result_type = models.CharField("办理结果类型", max_length=20, choices=c.RESULT_TYPES, default="certificate")
    result_name = models.CharField("办理结果名称", max_length=200, blank=True)
    result_name_en = models.CharField("办理结果英文名称", max_length=300, blank=True)
    flow = models.JSONField(
        "审批流程",
        default=list,
        blank=True,
        help_text='审批环节列表，如 [{"step": "decide", "role": "window_officer"}]；按审批层级生成，可修改。',
    )
    # The item's own application form (catalog.application_forms); {} asks only the common fields.
    form = models.JSONField("申请表", default=dict, blank=True,
                            help_text='{"fields": [{"name": "business_name", "label": "名称", "label_en": "Name", "kind": "text"}, ...]}')
    notes = models.TextField("备注", blank=True)
    is_active = models.BooleanField("在用", default=True)
    version = models.PositiveIntegerField("规则版本", default=1)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, related_name="materials", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    name_en = models.CharField("材料英文名称", max_length=300, blank=True)
    kind = models.CharField("材料类型", max_length=20, choices=c.MATERIAL_KINDS)
    source = models.CharField("来源渠道", max_length=2, choices=c.MATERIAL_SOURCES)
    necessity = models.CharField("必要性", max_length=1, choices=c.MATERIAL_NECESSITIES)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    exemptible_via = models.CharField("可免交（共享数据）", max_length=100, blank=True, help_text="<数据源>:<记录类型>")

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["item", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "position"], name="material_position_unique")]

    def __str__(self):
        return self.name


class Bundle(models.Model):
    """一件事: items of several departments applied for together."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=200)
    name_en = models.CharField("英文名称", max_length=300, blank=True)
    lead_department = models.ForeignKey(Department, verbose_name="牵头部门", on_delete=models.PROTECT)
    items = models.ManyToManyField(ServiceItem, through="BundleMember", related_name="bundles")
    window_opens = models.CharField("每年受理开始（MM-DD）", max_length=5, blank=True)
    window_closes = models.CharField("每年受理截止（MM-DD）", max_length=5, blank=True)
    questions = models.JSONField("引导问题", default=list, blank=True)
    rules = models.JSONField("引导规则", default=list, blank=True)
    notes = models.TextField("备注", blank=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self):
        return self.name


class BundleMember(models.Model):
    bundle = models.ForeignKey(Bundle, related_name="members", on_delete=models.CASCADE)
    item = models.ForeignKey(ServiceItem, related_name="bundle_memberships", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField("序号")

    class Meta:
        ordering = ["bundle", "position"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_member_unique")]


class CrossRegionScope(models.Model):
    """Which partner regions may accept which of our items on our behalf (跨省通办)."""

    partner = models.ForeignKey(Region, related_name="outbound_scopes", on_delete=models.CASCADE)
    item = models.ForeignKey(ServiceItem, related_name="cross_region_scopes", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "跨区域通办范围"
        verbose_name_plural = "跨区域通办范围"
        constraints = [models.UniqueConstraint(fields=["partner", "item"], name="cross_region_scope_unique")]
