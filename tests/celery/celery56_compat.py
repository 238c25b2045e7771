"""Celery 5.6.2 canvas composition on top of the installed Celery 5.2.

The machine has Celery 5.2.6 (python3-celery); Chordflow follows the 5.6.2 semantics documented in
/work/shared/reference/celery-semantics.md. These functions are copied from celery/canvas.py at 5.6.2
(commit 5dc781f0bd5f, BSD licence) with only the imports adapted, and installed over the 5.2 methods
that changed: `_chain.__or__`, `_chain.unchain_tasks`, `group.__or__`, `_chord.__or__`,
`_chord.link_error` and `chain.__new__`. Everything else (the signature classes, `json.dumps`) is the
real 5.2 code.
"""
import operator
from functools import reduce

from celery import canvas
from celery.canvas import (Signature, _chain, _chord, chain, group, maybe_list, maybe_signature,
                           maybe_unroll_group, seq_concat_item)
from celery.utils.functional import is_list, _regen


def _chain_or(self, other):
    if isinstance(other, group):
        # unroll group with one member
        other = maybe_unroll_group(other)
        if not isinstance(other, group):
            return self.__or__(other)
        # chain | group() -> chain
        tasks = self.unchain_tasks()
        if not tasks:
            # If the chain is empty, return the group
            return other
        if isinstance(tasks[-1], _chord):
            # CHAIN [last item is chord] | GROUP -> chain with chord body.
            tasks[-1].body = tasks[-1].body | other
            return type(self)(tasks, app=self.app)
        # use type(self) for _chain subclasses
        return type(self)(seq_concat_item(
            tasks, other), app=self._app)
    elif isinstance(other, _chain):
        # chain | chain -> chain
        return reduce(operator.or_, other.unchain_tasks(), self)
    elif isinstance(other, Signature):
        if self.tasks and isinstance(self.tasks[-1], group):
            # CHAIN [last item is group] | TASK -> chord
            sig = self.clone()
            sig.tasks[-1] = _chord(
                sig.tasks[-1], other, app=self._app)
            # In the scenario where the second-to-last item in a chain is a chord,
            # it leads to a situation where two consecutive chords are formed.
            # In such cases, a further upgrade can be considered.
            # This would involve chaining the body of the second-to-last chord with the last chord."
            if len(sig.tasks) > 1 and isinstance(sig.tasks[-2], _chord):
                sig.tasks[-2].body = sig.tasks[-2].body | sig.tasks[-1]
                sig.tasks = sig.tasks[:-1]
            return sig
        elif self.tasks and isinstance(self.tasks[-1], _chord) and not isinstance(other, _chord):
            # CHAIN [last item is chord] | TASK -> chain with chord body.
            sig = self.clone()
            sig.tasks[-1].body = sig.tasks[-1].body | other
            return sig
        else:
            # chain | task/chord -> chain
            # use type(self) for _chain subclasses
            return type(self)(seq_concat_item(
                self.unchain_tasks(), other), app=self._app)
    else:
        return NotImplemented


def _unchain_tasks(self):
    tasks = [t.clone() for t in self.tasks]
    for sig in maybe_list(self.options.get('link')) or []:
        tasks[-1].link(sig)
    for sig in maybe_list(self.options.get('link_error')) or []:
        for task in tasks:
            task.link_error(sig)
    return tasks


def _group_or(self, other):
    if (
        isinstance(other, group) and
        not isinstance(other.tasks, _regen) and
        isinstance(other.tasks, (list, tuple)) and
        not other.tasks
    ):
        return self
    # group() | task -> chord
    return _chord(self, body=other, app=self._app)


def _chord_or(self, other):
    if (not isinstance(other, (group, _chain)) and
            isinstance(other, Signature)):
        # chord | task ->  attach to body
        sig = self.clone()
        sig.body = sig.body | other
        return sig
    elif isinstance(other, group) and len(other.tasks) == 1:
        # chord | group -> chain with chord body.
        # unroll group with one member
        other = maybe_unroll_group(other)
        sig = self.clone()
        sig.body = sig.body | other
        return sig
    else:
        return Signature.__or__(self, other)


def _chord_link_error(self, errback):
    errback = maybe_signature(errback)
    if self.app.conf.task_allow_error_cb_on_chord_header:
        for task in maybe_list(self.tasks) or []:
            task.link_error(errback.clone(immutable=True))
    for task in maybe_list(self.tasks) or []:
        if isinstance(task, _chord):
            task.link_error(errback)
    self.body.link_error(errback)
    return errback


def _chain_new(cls, *tasks, **kwargs):
    # This forces `chain(X, Y, Z)` to work the same way as `X | Y | Z`
    if not kwargs and tasks:
        if len(tasks) != 1 or is_list(tasks[0]):
            tasks = tasks[0] if len(tasks) == 1 else tasks
            new_instance = reduce(operator.or_, tasks, _chain())
            if cls != chain and isinstance(new_instance, _chain) and not isinstance(new_instance, cls):
                return super(chain, cls).__new__(cls, new_instance.tasks, **kwargs)
            return new_instance
    return super(chain, cls).__new__(cls, *tasks, **kwargs)


def install():
    """Installs the 5.6.2 methods over the 5.2 ones (idempotent)."""
    _chain.__or__ = _chain_or
    _chain.unchain_tasks = _unchain_tasks
    group.__or__ = _group_or
    _chord.__or__ = _chord_or
    _chord.link_error = _chord_link_error
    chain.__new__ = _chain_new
    canvas.CELERY56_COMPAT = True
