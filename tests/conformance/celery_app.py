"""The Celery app of the conformance test: SPEC 2.2 built-in tasks with their exact semantics, on Redis.

Broker and result backend are the private redis-server at CHORDFLOW_CONFORMANCE_REDIS. Imported by the
worker (`python3 -m celery -A celery_app worker --pool threads --concurrency 8`) and by runner.py.

Bookkeeping (all in that Redis, keys under `cfc:`):
- `cfc:obs`   observations of record / on_error / on_error_id, in the order they happened;
- `cfc:exec`  one entry per executed task message (task_postrun): name, id, args, kwargs, state, value;
- `cfc:sent` / `cfc:done`  messages published (before_task_publish, in any process, so a fast
  consumer can never finish a message before it was counted) / executions ended
  (task_postrun). When both are equal and stay so, nothing is queued, waiting or running: the canvas has
  settled, also when Celery leaves parts of it PENDING forever (celery-semantics.md 11.2, 11.3).
- `cfc:ready` set by the worker when it is ready to consume.

Under Celery < 5.6 (the machine's 5.2.6) the 5.6.2 composition methods are installed
(tests/celery/celery56_compat.py) in both processes, so chains the worker prepares compose like the
reference. CHORDFLOW_CONFORMANCE_PYTHON may point at another interpreter (e.g. a venv with Celery 5.6).
"""
import json
import os
import time

import celery
from celery import Celery, signals

import celery56_compat

if tuple(int(x) for x in celery.__version__.split('.')[:2]) < (5, 6):
    celery56_compat.install()

REDIS_URL = os.environ.get('CHORDFLOW_CONFORMANCE_REDIS', 'redis://127.0.0.1:1/0')

app = Celery('chordflow_conformance', broker=REDIS_URL, backend=REDIS_URL, set_as_current=True)
app.conf.update(
    task_serializer='json',
    result_serializer='json',
    accept_content=['json'],
    worker_hijack_root_logger=False,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    task_allow_error_cb_on_chord_header=False,
)


class ExpectedException(Exception):
    """What `fail`, `flaky` and `autoflaky` raise (Celery's integration-test vocabulary)."""


def _redis():
    return app.backend.client


def _observe(obs):
    _redis().rpush('cfc:obs', json.dumps(obs))


def _sleep_ms(ms):
    if ms:
        time.sleep(ms / 1000.0)


@app.task(name='identity')
def identity(x):
    return x


@app.task(name='add')
def add(x, y):
    return x + y


@app.task(name='mul')
def mul(x, y):
    return x * y


@app.task(name='tsum')
def tsum(nums):
    return sum(nums)


@app.task(name='xsum')
def xsum(nums):
    return sum(sum(n) if isinstance(n, list) else n for n in nums)


@app.task(name='add_to_all')
def add_to_all(nums, val):
    return [n + val for n in nums]


@app.task(name='delayed')
def delayed(x, ms=0):
    _sleep_ms(ms)
    return x


@app.task(name='fail')
def fail(*args, ms=0):
    _sleep_ms(ms)
    raise ExpectedException('Task expected to fail', *args)


@app.task(name='record')
def record(value=None, tag=None):
    _observe({'kind': 'record', 'tag': tag, 'value': value})
    return value


@app.task(name='on_error')
def on_error(request, exc, traceback, tag=None):
    _observe({'kind': 'on_error', 'tag': tag, 'task_id': request.id, 'exc_type': type(exc).__name__,
              'exc': str(exc)})


@app.task(name='on_error_id')
def on_error_id(task_id, *, tag=None):
    _observe({'kind': 'on_error_id', 'tag': tag, 'task_id': task_id})


@app.task(name='flaky', bind=True)
def flaky(self, n, value, max_retries=3):
    if self.request.retries < n:
        raise self.retry(exc=ExpectedException('flaky', self.request.retries), countdown=0.2,
                         max_retries=max_retries)
    return value


@app.task(name='flaky_noexc', bind=True)
def flaky_noexc(self, n, value, max_retries=3):
    if self.request.retries < n:
        raise self.retry(countdown=0.2, max_retries=max_retries)
    return value


@app.task(name='autoflaky', bind=True, autoretry_for=(ExpectedException,), max_retries=2,
          default_retry_delay=0.2)
def autoflaky(self, n, value):
    if self.request.retries < n:
        raise ExpectedException('autoflaky', self.request.retries)
    return value


@app.task(name='add_replaced', bind=True)
def add_replaced(self, x, y):
    raise self.replace(add.s(x, y))


@app.task(name='add_to_chord_task', bind=True)
def add_to_chord_task(self, nums, val):
    for n in nums:
        self.add_to_chord(add.s(n, val))
    return 0


def error_json(exc):
    """`{type, message}` of an exception (message = Python's str())."""
    return {'type': type(exc).__name__, 'message': str(exc)}


def value_json(value):
    return json.loads(json.dumps(value, default=repr))


@signals.before_task_publish.connect
def _count_sent(**_kwargs):
    _redis().incr('cfc:sent')


@signals.task_postrun.connect
def _count_done(task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **_kwargs):
    entry = {'id': task_id, 'name': task.name if task is not None else None,
             'args': value_json(list(args or [])), 'kwargs': value_json(dict(kwargs or {})), 'state': state}
    if isinstance(retval, BaseException):
        entry['error'] = error_json(retval)
    elif state == 'SUCCESS':
        entry['value'] = value_json(retval)
    client = _redis()
    client.rpush('cfc:exec', json.dumps(entry))
    client.incr('cfc:done')


@signals.task_revoked.connect
def _count_revoked(**_kwargs):
    # An expired message is revoked by the worker instead of run: it is done, with no execution.
    _redis().incr('cfc:done')


@signals.worker_ready.connect
def _ready(**_kwargs):
    _redis().set('cfc:ready', '1')
