import os

from django.apps import AppConfig

# Set to 0 to leave the index to the first search (e.g. to measure what the warm-up saves).
WARM_UP_SETTING = "YIWANG_SEARCH_WARM_UP"


def _warm_up_before_fork() -> None:
    from yiwang.search import selectors

    selectors.warm_up_before_fork()


class SearchConfig(AppConfig):
    name = "yiwang.search"
    label = "search"
    verbose_name = "搜索"

    def ready(self):
        # `yiwang serve` and `yiwang demo` load the application in gunicorn's master and fork the
        # workers from it. Just before each fork the master builds (or checks) the search index,
        # so every worker starts with it and no resident's first search waits ~1.5 s for jieba,
        # pypinyin and the postings. Only a process that forks pays: management commands, the
        # test suite and the live-server tests (threads) never do, and subprocesses that exec
        # run no fork hooks. The master is single-threaded, so no lock is inherited half-taken.
        if os.environ.get(WARM_UP_SETTING, "1").strip() != "0" and hasattr(os, "register_at_fork"):
            os.register_at_fork(before=_warm_up_before_fork)
