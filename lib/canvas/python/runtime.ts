/**
 * The helper code of an exported Python module: observations, the model-service client (requests, or
 * urllib with requests-compatible exceptions), the seed's scenario table, and `ChordflowTask`, the base
 * class that makes per-node retry options real retry policy.
 *
 * Why the base class: Celery reads `max_retries`, `autoretry_for`, `retry_backoff*`, `retry_jitter` and
 * `default_retry_delay` from the task class only. Put on a signature with `.set()` they become message
 * properties the policy ignores (checked with Celery 5.2.6: they reach the worker as
 * `self.request.properties`). `ChordflowTask` reads them from there, applies them (its own autoretry
 * loop with Celery's backoff function, and `retry()` defaults), and copies them onto the retry message,
 * because `Task.retry` rebuilds the message from the request and would drop them. It runs autoretry
 * itself for every task (Celery's wrapper is bypassed): Celery 5.2's wrapper keeps a per-call
 * `max_retries` on the shared task object, so under a threads pool one call's limit leaks into others. A node's `countdown`
 * (Chordflow: the retry delay) is sent as `chordflow_retry_countdown`, since Celery's `countdown`
 * would delay the first run.
 */

/** Lines of the observation helpers (`record`, `on_error`, `on_error_id` use them). */
export function observationHelpers(): string[] {
  return [
    "log = logging.getLogger('chordflow')",
    '',
    '',
    'def _sleep_ms(ms):',
    '    if ms:',
    '        time.sleep(ms / 1000.0)',
    '',
    '',
    'def _observe(obs):',
    '    """Logs an observation; with CHORDFLOW_OBSERVATIONS_KEY set, RPUSHes it (JSON) to that list."""',
    "    log.info('observation %s', json.dumps(obs, default=repr))",
    "    key = os.environ.get('CHORDFLOW_OBSERVATIONS_KEY')",
    '    if key:',
    '        app.backend.client.rpush(key, json.dumps(obs, default=repr))',
    '',
  ];
}

/** Lines of the model-service client and the seed's scenario table (tutorial tasks). */
export function modelServiceHelpers(): string[] {
  return [
    "MODEL_SERVICE_URL = os.environ.get('MODEL_SERVICE_URL', 'http://127.0.0.1:9000/v1/predict')",
    'MODEL_TIMEOUT_S = 5',
    '',
    "# The seed's SCENARIO_CONFIG: payload.scenario -> {fail_times, delay_seconds} per task (a, b, c).",
    '_OK = {"fail_times": 0, "delay_seconds": 0}',
    'SCENARIO_CONFIG = {',
    '    "happy": {"a": _OK, "b": _OK, "c": _OK},',
    '    "flaky": {"a": {"fail_times": 2, "delay_seconds": 0}, "b": _OK, "c": _OK},',
    '    "slow": {"a": {"fail_times": 0, "delay_seconds": 8}, "b": _OK, "c": _OK},',
    '    "down": {"a": {"fail_times": 999, "delay_seconds": 0}, "b": _OK, "c": _OK},',
    '    "partial_fail": {"a": _OK, "b": {"fail_times": 999, "delay_seconds": 0}, "c": _OK},',
    '}',
    '',
    '',
    'def _scenario(payload, key):',
    '    """Unknown or missing scenarios fall back to happy, as in the seed."""',
    "    return SCENARIO_CONFIG.get(payload.get('scenario'), SCENARIO_CONFIG['happy'])[key]",
    '',
    '',
    'def _call_model(text, task_type, request_id, fail_times=0, delay_seconds=0):',
    '    """POST to the model service; a 500 raises HTTPError, a slow reply ReadTimeout (as requests)."""',
    "    body = {'text': text, 'task_type': task_type, 'request_id': request_id,",
    "            'fail_times': fail_times, 'delay_seconds': delay_seconds}",
    '    if _requests is not None:',
    '        resp = _requests.post(MODEL_SERVICE_URL, json=body, timeout=MODEL_TIMEOUT_S)',
    '        resp.raise_for_status()',
    '        return resp.json()',
    '    req = urllib.request.Request(MODEL_SERVICE_URL, data=json.dumps(body).encode(),',
    "                                 headers={'Content-Type': 'application/json'}, method='POST')",
    '    parts = urllib.parse.urlsplit(MODEL_SERVICE_URL)',
    '    try:',
    '        with urllib.request.urlopen(req, timeout=MODEL_TIMEOUT_S) as resp:',
    '            return json.loads(resp.read().decode())',
    '    except urllib.error.HTTPError as exc:',
    "        kind = 'Client' if exc.code < 500 else 'Server'",
    "        raise HTTPError(f'{exc.code} {kind} Error: {exc.reason} for url: {MODEL_SERVICE_URL}') from None",
    '    except (socket.timeout, TimeoutError) as exc:',
    '        raise ReadTimeout(f"HTTPConnectionPool(host=\'{parts.hostname}\', port={parts.port}): "',
    "                          f'Read timed out. (read timeout={MODEL_TIMEOUT_S})') from exc",
    '    except urllib.error.URLError as exc:',
    '        if isinstance(exc.reason, (socket.timeout, TimeoutError)):',
    '            raise ReadTimeout(f"HTTPConnectionPool(host=\'{parts.hostname}\', port={parts.port}): "',
    "                              f'Read timed out. (read timeout={MODEL_TIMEOUT_S})') from exc",
    "        raise RequestException(f'Could not reach the model service at {MODEL_SERVICE_URL}: {exc.reason}') from exc",
    '',
  ];
}

/** Lines of `ChordflowTask` (see the module doc). */
export function chordflowTaskClass(): string[] {
  return [
    '# Per-node retry options. Celery takes retry policy from the task class only; the same names',
    '# given to .set() arrive as message properties (self.request.properties) and are ignored. This base',
    '# class reads them there, applies them, and carries them onto the retry message.',
    "POLICY_KEYS = ('max_retries', 'default_retry_delay', 'autoretry_for', 'retry_backoff',",
    "               'retry_backoff_max', 'retry_jitter', 'chordflow_retry_countdown')",
    "AUTORETRY_KEYS = ('autoretry_for', 'retry_backoff', 'retry_backoff_max', 'retry_jitter')",
    '',
    '',
    'def _exception_class(name):',
    '    found = globals().get(name) or getattr(builtins, name, None) or getattr(celery.exceptions, name, None)',
    '    if isinstance(found, type) and issubclass(found, BaseException):',
    '        return found',
    '    return type(name, (Exception,), {})  # a type no code raises: never retried',
    '',
    '',
    'def _overrides(request):',
    "    props = (request.get('properties') if request is not None else None) or {}",
    '    return {k: props[k] for k in POLICY_KEYS if k in props}',
    '',
    '',
    'class ChordflowTask(celery.Task):',
    '    """A task whose retry policy a signature can override with .set() (see above)."""',
    '',
    '    def __call__(self, *args, **kwargs):',
    '        over = _overrides(self.request)',
    "        if not getattr(self, 'autoretry_for', ()) and not any(k in over for k in AUTORETRY_KEYS):",
    '            return super().__call__(*args, **kwargs)',
    "        # Celery's autoretry wrapper has the class policy baked in, and it shares state between",
    '        # threads (override_max_retries, one retry_kwargs dict): run the plain body, same algorithm.',
    "        run = getattr(self, '_orig_run', self.run)",
    "        names = over.get('autoretry_for')",
    '        retry_for = (tuple(_exception_class(n) for n in names) if names is not None',
    "                     else tuple(getattr(self, 'autoretry_for', ())))",
    "        backoff = int(over.get('retry_backoff', getattr(self, 'retry_backoff', False)) or 0)",
    "        backoff_max = int(over.get('retry_backoff_max', getattr(self, 'retry_backoff_max', 600)))",
    "        jitter = over.get('retry_jitter', getattr(self, 'retry_jitter', True))",
    '        try:',
    '            return run(*args, **kwargs)',
    '        except (Ignore, Retry):',
    '            raise',
    '        except retry_for as exc:',
    "            retry_kwargs = dict(getattr(self, 'retry_kwargs', {}))",
    '            if backoff:',
    "                retry_kwargs['countdown'] = get_exponential_backoff_interval(",
    '                    factor=backoff, retries=self.request.retries, maximum=backoff_max, full_jitter=jitter)',
    '            raise self.retry(exc=exc, **retry_kwargs)',
    '',
    '    def retry(self, args=None, kwargs=None, exc=None, throw=True, eta=None, countdown=None,',
    '              max_retries=None, **options):',
    '        over = _overrides(self.request)',
    "        if max_retries is None and 'max_retries' in over:",
    "            # None on a node means retry forever; Celery's None means the class default.",
    "            max_retries = float('inf') if over['max_retries'] is None else over['max_retries']",
    '        if not eta and countdown is None:',
    "            if 'chordflow_retry_countdown' in over:",
    "                countdown = over['chordflow_retry_countdown']",
    "            elif 'default_retry_delay' in over:",
    "                countdown = over['default_retry_delay']",
    '        return super().retry(args=args, kwargs=kwargs, exc=exc, throw=throw, eta=eta,',
    '                             countdown=countdown, max_retries=max_retries, **options)',
    '',
    '    def signature_from_request(self, request=None, args=None, kwargs=None, queue=None, **extra):',
    '        sig = super().signature_from_request(request, args, kwargs, queue, **extra)',
    '        over = _overrides(self.request if request is None else request)',
    '        return sig.set(**over) if over else sig',
    '',
  ];
}
