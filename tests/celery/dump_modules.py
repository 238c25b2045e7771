"""Imports each exported module given on stdin (a JSON list of file paths) under the real Celery and
prints a JSON list of `json.dumps(module.canvas)` (parsed), or {"error": text} for a module that fails."""
import importlib.util
import json
import sys


def load(path, index):
    spec = importlib.util.spec_from_file_location('chordflow_export_%d' % index, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    out = []
    for i, path in enumerate(json.load(sys.stdin)):
        try:
            module = load(path, i)
            out.append({'canvas': json.loads(json.dumps(module.canvas)),
                        'invoke': [module.INVOKE_ARGS, module.INVOKE_KWARGS],
                        'allow_header': module.app.conf.task_allow_error_cb_on_chord_header})
        except Exception as exc:  # report, do not crash the batch
            out.append({'error': '%s: %s' % (type(exc).__name__, exc)})
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    import warnings
    warnings.simplefilter('ignore')
    main()
