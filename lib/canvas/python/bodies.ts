/**
 * Python bodies of the SPEC 2.2 built-in tasks and the seed tutorial's TASK_A..D, with the semantics
 * Chordflow simulates (the built-ins as in tests/conformance/celery_app.py, verified against real
 * Celery; the tutorial tasks as in seed-tutorial-and-director.md 1.2–1.5). Each body is the text under
 * the `def` line; the parameter list comes from the catalogue.
 */

/** How a task body is written: whether it binds `self`, its lines, and the tasks it calls. */
export interface PythonBody {
  bind: boolean;
  body: string[];
  /** Other catalogue tasks the body refers to (they are defined in the module too). */
  uses?: string[];
  /** Exception names the body raises or catches (defined or imported by the module). */
  exceptions?: string[];
  /** The body calls the model service (`_call_model`). */
  http?: boolean;
}

const TUTORIAL_EXC = ['RequestException', 'HTTPError', 'ReadTimeout', 'SoftTimeLimitExceeded'];

/** The bodies by task name; `FN(name)` in a line stands for that task's Python function name. */
export const PYTHON_BODIES: Readonly<Record<string, PythonBody>> = {
  identity: { bind: false, body: ['return x'] },
  add: { bind: false, body: ['return x + y'] },
  mul: { bind: false, body: ['return x * y'] },
  tsum: { bind: false, body: ['return sum(nums)'] },
  xsum: { bind: false, body: ['return sum(sum(n) if isinstance(n, list) else n for n in nums)'] },
  add_to_all: { bind: false, body: ['return [n + val for n in nums]'] },
  delayed: { bind: false, body: ['_sleep_ms(ms)', 'return x'] },
  fail: {
    bind: false,
    body: ['_sleep_ms(ms)', "raise ExpectedException('Task expected to fail', *args)"],
    exceptions: ['ExpectedException'],
  },
  record: {
    bind: false,
    body: ["_observe({'kind': 'record', 'tag': tag, 'value': value})", 'return value'],
  },
  on_error: {
    bind: false,
    body: [
      "_observe({'kind': 'on_error', 'tag': tag, 'task_id': request.id,",
      "          'exc_type': type(exc).__name__, 'exc': str(exc)})",
    ],
  },
  on_error_id: {
    bind: false,
    body: ["_observe({'kind': 'on_error_id', 'tag': tag, 'task_id': task_id})"],
  },
  flaky: {
    bind: true,
    body: [
      'if self.request.retries < n:',
      "    raise self.retry(exc=ExpectedException('flaky', self.request.retries), countdown=0.2,",
      '                     max_retries=max_retries)',
      'return value',
    ],
    exceptions: ['ExpectedException'],
  },
  flaky_noexc: {
    bind: true,
    body: [
      'if self.request.retries < n:',
      '    raise self.retry(countdown=0.2, max_retries=max_retries)',
      'return value',
    ],
  },
  autoflaky: {
    bind: true,
    body: [
      'if self.request.retries < n:',
      "    raise ExpectedException('autoflaky', self.request.retries)",
      'return value',
    ],
    exceptions: ['ExpectedException'],
  },
  add_replaced: { bind: true, body: ['raise self.replace(FN(add).s(x, y))'], uses: ['add'] },
  add_to_chord_task: {
    bind: true,
    body: ['for n in nums:', '    self.add_to_chord(FN(add).s(n, val))', 'return 0'],
    uses: ['add'],
  },
  TASK_A: {
    bind: true,
    http: true,
    exceptions: TUTORIAL_EXC,
    body: [
      'payload = payload or {}',
      "raw = payload.get('raw', 'hello world')",
      "data = _call_model(raw, 'preprocess', f'task_a_{self.request.id}', **_scenario(payload, 'a'))",
      "result = data['result']",
      "return {'processed': result['processed'], 'length': result['length'], 'model': data['model'],",
      "        'retries_used': self.request.retries}",
    ],
  },
  TASK_B: {
    bind: true,
    http: true,
    exceptions: TUTORIAL_EXC,
    body: [
      'payload = payload or {}',
      "text = args[0].get('processed', '') if args and isinstance(args[0], dict) else ''",
      'try:',
      "    data = _call_model(text, 'embed', f'task_b_{self.request.id}', **_scenario(payload, 'b'))",
      'except RequestException as exc:',
      '    # manual retry with a fixed 3 s delay (the seed)',
      '    raise self.retry(exc=exc, countdown=3)',
      "result = data['result']",
      "return {'b_result': f\"embedding by B: dim={result['dimension']}\", 'embedding': result['embedding'],",
      "        'model': data['model'], 'retries_used': self.request.retries}",
    ],
  },
  TASK_C: {
    bind: true,
    http: true,
    exceptions: TUTORIAL_EXC,
    body: [
      'payload = payload or {}',
      "text = args[0].get('processed', '') if args and isinstance(args[0], dict) else ''",
      "data = _call_model(text, 'classify', f'task_c_{self.request.id}', **_scenario(payload, 'c'))",
      "result = data['result']",
      "return {'c_result': f\"classified by C: {result['label']} ({result['confidence']})\",",
      "        'label': result['label'], 'confidence': result['confidence'], 'model': data['model'],",
      "        'retries_used': self.request.retries}",
    ],
  },
  TASK_D: {
    bind: true,
    body: [
      'results = args[0] if args and isinstance(args[0], list) else []',
      "b = next((r for r in results if isinstance(r, dict) and 'b_result' in r), {})",
      "c = next((r for r in results if isinstance(r, dict) and 'c_result' in r), {})",
      "return {'final': 'merge complete', 'from_b': b.get('b_result', 'N/A'),",
      "        'from_c': c.get('c_result', 'N/A'), 'b_retries': b.get('retries_used', 0),",
      "        'c_retries': c.get('retries_used', 0)}",
    ],
  },
};
