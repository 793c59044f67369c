"""Choices and status codes of bundle cases."""

CHANNEL_ONLINE = "online"  # a case of its own, fanned out on submission
CHANNEL_WINDOW = "window"  # the item cannot be applied for online: the resident is sent to a window
MEMBER_CHANNELS = [(CHANNEL_ONLINE, "网上办理"), (CHANNEL_WINDOW, "窗口办理")]

# Combined status of a bundle case, derived from its member cases (never stored).
STATUS_DRAFT = "draft"
STATUS_IN_PROGRESS = "in_progress"
STATUS_SUPPLEMENT = "supplement_requested"
STATUS_PARTLY_REFUSED = "partly_refused"
STATUS_COMPLETED = "completed"
STATUS_COMPLETED_PARTLY = "completed_partly"
STATUS_LABELS = {
    STATUS_DRAFT: ("草稿", "Draft"),
    STATUS_IN_PROGRESS: ("办理中", "In progress"),
    STATUS_SUPPLEMENT: ("待补正", "Supplements requested"),
    STATUS_PARTLY_REFUSED: ("部分不予", "Partly refused"),
    STATUS_COMPLETED: ("已办结", "Completed"),
    STATUS_COMPLETED_PARTLY: ("已办结（部分未获办理）", "Completed, some items refused"),
}
