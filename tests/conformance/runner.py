"""Runs canvases on the real Celery worker of celery_app.py and dumps what Celery stored.

stdin: {"cases": [{"name", "canvas": Canvas JSON, "invoke": {"args", "kwargs"}, "allow_header": bool,
                   "ids": [task ids to dump], "timeout_s"?: number}], "ready_timeout_s"?: number}
Each canvas is built the way a Python user writes it, with Celery's own composition (chain(...),
group([...]), chord(...), |, .link(), .link_error(): tests/celery/build_canvas.py `build`), applied with
`apply_async(invoke args, invoke kwargs)`, and awaited until nothing is queued, waiting or running (see
celery_app.py) or the timeout. Cases run one after another so observations belong to one canvas.

stdout: a JSON list, one per case:
  {"name", "apply_error": {type, message} | null, "settled": bool, "elapsed_s", "states": {id: {"state", "value"? , "error"?: {type, message}}},
   "top": TOP, "observations": [...], "executions": [...]} or {"name", "error": text}
  TOP = {"kind": "task", "id", "state", "value"?, "error"?} | {"kind": "group", "items": [TOP...]}
        | {"kind": "none"}
"""
import json
import sys
import time
import warnings

import build_canvas  # noqa: E402  (its module-level app is replaced below)
import celery_app
from celery.canvas import _chain, _chord, group
from celery.result import AsyncResult, ResultSet

app = celery_app.app
build_canvas.app = app
POLL_S = 0.02
QUIET_S = 0.3


def outcome(res):
    out = {'state': res.state}
    result = res.result
    if res.state == 'SUCCESS':
        out['value'] = celery_app.value_json(result)
    elif isinstance(result, BaseException):
        out['error'] = celery_app.error_json(result)
    return out


def describe(res):
    if res is None:
        return {'kind': 'none'}
    if isinstance(res, ResultSet):
        return {'kind': 'group', 'items': [describe(r) for r in res.results]}
    return dict({'kind': 'task', 'id': res.id}, **outcome(res))


def counters(client):
    sent, done = client.mget('cfc:sent', 'cfc:done')
    return int(sent or 0), int(done or 0)


def wait_settled(client, timeout_s):
    """True when sent == done and nothing changed for QUIET_S; False at the timeout."""
    deadline = time.monotonic() + timeout_s
    last = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        now = counters(client)
        if now != last:
            last, since = now, time.monotonic()
        elif now[0] == now[1] and time.monotonic() - since >= QUIET_S:
            return True
        time.sleep(POLL_S)
    return False


def align_chain_ids(sig):
    """Gives every chain the task id of its last task when that one is labelled (recursively).

    Celery's chain id is its last task's id, but a chain frozen with an id of its own (a chord body:
    `body.freeze(task_id)`) keeps that other id while a labelled last task keeps its label; the chord
    error path then marks and reports the chain's id, not the last task's. Aligning them keeps the
    canvas meaning what it means unlabelled (celery-semantics.md 6.2). Returns the node's id or None.
    """
    if isinstance(sig, _chain):
        last = None
        for t in sig.tasks:
            last = align_chain_ids(t)
        if last is not None:
            sig.options['task_id'] = last
        return last
    if isinstance(sig, _chord):
        for t in sig.tasks.tasks if isinstance(sig.tasks, group) else sig.tasks:
            align_chain_ids(t)
        return align_chain_ids(sig.body)
    if isinstance(sig, group):
        for t in sig.tasks:
            align_chain_ids(t)
        return None
    return sig.options.get('task_id')


def run_case(client, case):
    client.delete('cfc:obs', 'cfc:exec')
    app.conf.task_allow_error_cb_on_chord_header = bool(case.get('allow_header', False))
    sig = build_canvas.build(case['canvas'])
    if case.get('align_chain_ids', True):
        align_chain_ids(sig)
    invoke = case.get('invoke') or {}
    started = time.monotonic()
    res, apply_error = None, None
    try:
        res = sig.apply_async(tuple(invoke.get('args', [])), dict(invoke.get('kwargs', {})))
    except Exception as exc:  # e.g. Celery's argument check (Task.typing) in apply_async
        apply_error = celery_app.error_json(exc)
    # Also after an apply error: a group may have sent some members before it raised.
    settled = wait_settled(client, case.get('timeout_s', 10))
    time.sleep(case.get('extra_wait_s', 0))  # for asynchronous effects that send no message (revokes)
    return {
        'name': case['name'],
        'apply_error': apply_error,
        'settled': settled,
        'elapsed_s': round(time.monotonic() - started, 3),
        'states': {i: outcome(AsyncResult(i, app=app)) for i in case.get('ids', [])},
        'top': describe(res),
        'observations': [json.loads(x) for x in client.lrange('cfc:obs', 0, -1)],
        'executions': [json.loads(x) for x in client.lrange('cfc:exec', 0, -1)],
    }


def main():
    request = json.load(sys.stdin)
    client = app.backend.client
    deadline = time.monotonic() + request.get('ready_timeout_s', 30)
    while not client.get('cfc:ready'):
        if time.monotonic() > deadline:
            raise SystemExit('The Celery worker did not become ready (no cfc:ready key).')
        time.sleep(0.05)
    out = []
    for case in request['cases']:
        try:
            out.append(run_case(client, case))
        except Exception as exc:  # report, do not crash the batch
            out.append({'name': case.get('name'), 'error': '%s: %s' % (type(exc).__name__, exc)})
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    warnings.simplefilter('ignore')
    main()
