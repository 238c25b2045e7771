"""Builds canvases with real Celery from a JSON description and prints `json.dumps(sig)` for each.

stdin: {"compat56": bool, "allow_error_cb_on_chord_header": bool, "cases": [EXPR, ...]} where EXPR is
Canvas JSON (task/chain/group/chord/pipe nodes with link/link_error, options, id, sim). Each node is built
the way a Python user writes it: `app.signature(name, args, kwargs)` (`.si` when immutable), `.set(...)`
for options, `chain(*nodes)`, `group([...])`, `chord([...], body)`, `a | b` for pipes, then `.link()` /
`.link_error()`. stdout: a JSON list, one parsed `json.dumps(sig)` per case (or {"error": text}).
"""
import json
import operator
import sys
from functools import reduce

from celery import Celery, chain, chord, chunks, group, xmap, xstarmap

import celery56_compat

app = Celery('chordflow_crosscheck', set_as_current=True)


def celery_options(options):
    """Chordflow option names as Celery spells them (lib/canvas/celeryOptions.ts)."""
    rename = {'countdown': 'chordflow_retry_countdown', 'apply_countdown': 'countdown'}
    return {rename.get(k, k): v for k, v in options.items()}


def build(node):
    if 'xmap' in node or 'xstarmap' in node or 'chunks' in node:
        kind = 'xmap' if 'xmap' in node else 'xstarmap' if 'xstarmap' in node else 'chunks'
        body = node[kind]
        inner = app.signature(body['task']['task'], args=tuple(body['task'].get('args', [])),
                              kwargs=body['task'].get('kwargs', {}),
                              immutable=body['task'].get('immutable', False))
        if kind == 'xmap':
            sig = xmap(inner, body['items'], app=app)
        elif kind == 'xstarmap':
            sig = xstarmap(inner, body['items'], app=app)
        else:
            sig = chunks(inner, body['items'], body['n'], app=app)
        options = celery_options(node.get('options', {}))
        if 'id' in node:
            options['task_id'] = node['id']
        if options:
            sig.set(**options)
    elif 'task' in node:
        sig = app.signature(node['task'], args=tuple(node.get('args', [])), kwargs=node.get('kwargs', {}),
                            immutable=node.get('immutable', False))
        options = celery_options(node.get('options', {}))
        if 'id' in node:
            options['task_id'] = node['id']
        if 'sim' in node:
            options['chordflow_sim'] = node['sim']
        if options:
            sig.set(**options)
    elif 'chain' in node:
        sig = chain(*[build(n) for n in node['chain']])
    elif 'group' in node:
        sig = group([build(n) for n in node['group']])
    elif 'chord' in node:
        sig = chord([build(n) for n in node['chord']['header']], build(node['chord']['body']))
    elif 'pipe' in node:
        sig = reduce(operator.or_, [build(n) for n in node['pipe']])
    else:
        raise ValueError('unknown node %r' % (node,))
    if 'task' not in node and 'options' in node:
        sig.set(**celery_options(node['options']))
    for cb in node.get('link', []):
        sig.link(build(cb))
    for eb in node.get('link_error', []):
        sig.link_error(build(eb))
    return sig


def main():
    request = json.load(sys.stdin)
    if request.get('compat56', True):
        celery56_compat.install()
    app.conf.task_allow_error_cb_on_chord_header = request.get('allow_error_cb_on_chord_header', False)
    out = []
    for expr in request['cases']:
        try:
            out.append(json.loads(json.dumps(build(expr))))
        except Exception as exc:  # report, do not crash the batch
            out.append({'error': '%s: %s' % (type(exc).__name__, exc)})
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    import warnings
    warnings.simplefilter('ignore')
    main()
