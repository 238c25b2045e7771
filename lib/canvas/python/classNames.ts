/**
 * Which exception class names a canvas may carry. The Python export writes them as code
 * (`autoretry_for=(Name,)`, `class Name(Exception)`), so only plain identifiers that neither shadow the
 * module's own names nor Python's non-exception built-ins can pass; everything else is refused with a
 * sentence before any exporter runs.
 */
import { CELERY_EXCEPTIONS, PY_KEYWORDS, PY_RESERVED, REQUESTS_EXCEPTIONS } from './names';

/** Python 3's built-in exception classes: named, they are the built-ins (never redefined). */
export const PY_BUILTIN_EXCEPTIONS = new Set(
  (
    'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError ' +
    'BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ' +
    'ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError EncodingWarning ' +
    'EnvironmentError Exception ExceptionGroup FileExistsError FileNotFoundError FloatingPointError ' +
    'FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError IndexError ' +
    'InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ' +
    'ModuleNotFoundError NameError NotADirectoryError NotImplementedError OSError OverflowError ' +
    'PendingDeprecationWarning PermissionError ProcessLookupError RecursionError ReferenceError ' +
    'ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration SyntaxError ' +
    'SyntaxWarning SystemError SystemExit TabError TimeoutError TypeError UnboundLocalError ' +
    'UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ' +
    'ValueError Warning ZeroDivisionError'
  ).split(' '),
);

/** Python's other built-in names: a class with such a name would shadow them in the module. */
const PY_BUILTIN_OTHER = new Set(
  (
    'Ellipsis NotImplemented abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable ' +
    'chr classmethod compile complex copyright credits delattr dict dir divmod enumerate eval exec exit ' +
    'filter float format frozenset getattr globals hasattr hash help hex id input int isinstance ' +
    'issubclass iter len license list locals map max memoryview min next object oct open ord pow print ' +
    'property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple ' +
    'type vars zip'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Why `name` cannot be an exception class name in generated Python, as the end of a sentence
 * ("… is not usable as an exception name: <reason>"), or `null` when it can.
 */
export function exceptionNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'exception names are strings';
  if (name.length > 100) return 'it is longer than 100 characters';
  if (!IDENTIFIER.test(name))
    return 'a Python class name has only letters, digits and "_" and does not start with a digit';
  if (PY_BUILTIN_EXCEPTIONS.has(name) || CELERY_EXCEPTIONS.has(name) || REQUESTS_EXCEPTIONS.includes(name))
    return null;
  if (PY_KEYWORDS.has(name)) return 'it is a Python keyword';
  if (name.startsWith('__')) return 'Python reserves names starting with "__"';
  if (PY_RESERVED.has(name) || PY_BUILTIN_OTHER.has(name))
    return `"${name}" would shadow a name the exported module or Python itself uses`;
  return null;
}

/** `JSON.stringify` of a name, shortened for messages (hostile names can be long). */
export function quoteName(name: unknown): string {
  const text = typeof name === 'string' ? name : String(name);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
