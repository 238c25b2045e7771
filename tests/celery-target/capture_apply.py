"""Applies Celery signatures (JSON dicts) with real Celery 5.2 to a Redis that no worker consumes,
and prints what Celery wrote: every task message of each queue (oldest first, envelope with the body
decoded) and every chord-size key of the result backend.

stdin: {"broker": URL, "backend": URL, "cases": [{"name", "canvas": <Canvas JSON>, "args", "kwargs"}]}
The canvas is built as a Python user writes it (tests/celery/build_canvas.py, plain Celery 5.2), task
ids set with `.set(task_id=...)` from the nodes' `id` labels.
stdout: [{"name", "messages": [<envelope, body decoded>], "chord_sizes": {key: value}}]
"""
import base64
import json
import sys

import redis
import build_canvas


def main():
    spec = json.load(sys.stdin)
    app = build_canvas.app
    app.conf.broker_url = spec['broker']
    app.conf.result_backend = spec['backend']
    broker = redis.Redis.from_url(spec['broker'])
    backend = redis.Redis.from_url(spec['backend'])
    out = []
    for case in spec['cases']:
        broker.flushdb()
        backend.flushdb()
        sig = build_canvas.build(case['canvas'])
        sig.apply_async(tuple(case.get('args', [])), case.get('kwargs', {}))
        messages = []
        for key in sorted(k for k in broker.keys('*') if broker.type(k) == b'list'):
            for raw in reversed(broker.lrange(key, 0, -1)):
                env = json.loads(raw)
                env['body'] = json.loads(base64.b64decode(env['body']))
                env['queue_key'] = key.decode()
                messages.append(env)
        sizes = {k.decode(): backend.get(k).decode() for k in backend.keys('celery-taskset-meta-*.s')}
        out.append({'name': case['name'], 'messages': messages, 'chord_sizes': sizes})
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
