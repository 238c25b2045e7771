"""Applies Celery's own `chain.prepare_steps` to canvases, the way a worker prepares every chain it applies.

stdin: a JSON list of Celery signature JSON values. For each, the signature is rebuilt with
`Signature.from_dict` (no composition), then every chain in it is replaced by the steps
`prepare_steps` produces (recursively, as each chain is prepared when it is applied). Options that freezing
adds (ids, group and chord bookkeeping) are dropped and a frozen chord header (a group) is written back as
a list. stdout: a JSON list of the results.
"""
import json
import sys

from celery import Celery
from celery.canvas import Signature, _chain, _chord, group

import celery56_compat

app = Celery('chordflow_prepare', backend='cache+memory://', set_as_current=True)
FROZEN_KEYS = {'task_id', 'reply_to', 'root_id', 'parent_id', 'group_id', 'group_index', 'chord', 'chord_size'}


def prep(sig):
    if isinstance(sig, _chain):
        steps, _ = sig.prepare_steps((), {}, sig.tasks, app=app)
        out = _chain([prep(s) for s in reversed(steps)], app=app)
        if sig.options.get('link'):
            out.options['link'] = [prep(Signature.from_dict(x, app=app)) for x in sig.options['link']]
        if sig.options.get('link_error'):
            out.options['link_error'] = [prep(Signature.from_dict(x, app=app)) for x in sig.options['link_error']]
        return out
    if isinstance(sig, group):
        return group([prep(t) for t in sig.tasks], app=app)
    if isinstance(sig, _chord):
        header = sig.tasks.tasks if isinstance(sig.tasks, group) else sig.tasks
        return _chord([prep(t) for t in header], prep(sig.body), app=app)
    return sig


def clean(value):
    if isinstance(value, dict):
        value = {k: clean(v) for k, v in value.items() if k not in FROZEN_KEYS}
        return value
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def main():
    celery56_compat.install()
    out = []
    for raw in json.load(sys.stdin):
        try:
            sig = Signature.from_dict(raw, app=app)
            out.append(clean(json.loads(json.dumps(prep(sig)))))
        except Exception as exc:  # report, do not crash the batch
            out.append({'error': '%s: %s' % (type(exc).__name__, exc)})
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    import warnings
    warnings.simplefilter('ignore')
    main()
