KIND_RESIDENT = "resident"
KIND_ENTERPRISE = "enterprise"
KIND_STAFF = "staff"
KINDS = [(KIND_RESIDENT, "自然人"), (KIND_ENTERPRISE, "法人（企业）"), (KIND_STAFF, "工作人员")]

ROLE_WINDOW_OFFICER = "window_officer"
ROLE_APPROVER = "approver"
ROLE_HALL_MANAGER = "hall_manager"
ROLE_ADMINISTRATOR = "administrator"
ROLE_AUDITOR = "auditor"
ROLE_LEADER = "leader"  # district leaders: the evaluation dashboard, no cases
ROLES = [
    (ROLE_WINDOW_OFFICER, "窗口人员"),
    (ROLE_APPROVER, "审批人员"),
    (ROLE_HALL_MANAGER, "大厅管理员"),
    (ROLE_ADMINISTRATOR, "系统管理员"),
    (ROLE_AUDITOR, "审计人员"),
    (ROLE_LEADER, "区领导"),
]
