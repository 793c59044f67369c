"""Job states. A job moves queued → running → done, or → retry (and back to running) → dead."""

QUEUED = "queued"
RUNNING = "running"
RETRY = "retry"
DONE = "done"
DEAD = "dead"

STATES = [
    (QUEUED, "待处理"),
    (RUNNING, "处理中"),
    (RETRY, "等待重试"),
    (DONE, "已完成"),
    (DEAD, "失败待处理"),
]
WAITING = (QUEUED, RETRY)
