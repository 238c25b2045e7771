"""Celery reference for `npm run bench:engine` (measured, not quoted): the same workloads on a real
Celery 5 prefork worker over the bench's private Redis (broker and result backend).

Worker:  python3 -m celery -A celery_bench worker --pool prefork -c 2   (CELERY_BENCH_REDIS=redis://...)
Driver:  python3 celery_bench.py group|chords|chain N   -> one JSON line {"case", "n", "seconds"}
"""
import json
import os
import sys
import time

from celery import Celery, chain, chord, group
from celery.signals import worker_ready

REDIS = os.environ.get("CELERY_BENCH_REDIS", "redis://127.0.0.1:6379/0")
app = Celery("celery_bench", broker=REDIS, backend=REDIS)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=64,
    broker_connection_retry_on_startup=True,
    result_expires=600,
    # No pidbox: kombu's Redis transport listens for remote control with PSUBSCRIBE, and a pattern
    # subscription on the shared redis-server makes the cluster's worker, whose rounds run while this
    # worker is up, publish its event messages (a subscriber might be listening). Neither side uses it.
    worker_enable_remote_control=False,
)


@worker_ready.connect
def _announce_ready(**_kwargs):
    # The worker runs at Celery's default log level (warning), where its own "ready." line is not
    # logged: celeryRef.ts waits for this one instead.
    print("chordflow-bench: worker ready", flush=True)


@app.task(name="identity")
def identity(x):
    return x


@app.task(name="tsum")
def tsum(xs):
    return sum(xs)


def main():
    case, n = sys.argv[1], int(sys.argv[2])
    t0 = time.perf_counter()
    if case == "group":
        group(identity.s(i) for i in range(n)).apply_async().get(timeout=600)
    elif case == "chords":
        # Independent runs, each chord([identity, identity], tsum), all sent at once.
        results = [chord([identity.s(i), identity.s(1)], tsum.s()).apply_async() for i in range(n)]
        for r in results:
            r.get(timeout=600)
    elif case == "chain":
        chain(identity.s(0), *[identity.s() for _ in range(n - 1)]).apply_async().get(timeout=600)
    else:
        raise SystemExit(f"unknown case {case}")
    print(json.dumps({"case": case, "n": n, "seconds": time.perf_counter() - t0}), flush=True)


if __name__ == "__main__":
    main()
