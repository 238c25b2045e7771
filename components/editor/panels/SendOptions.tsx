'use client';
/**
 * Inspector section for Celery's sending options (`apply_async`/`.set()`): start delay, expiry,
 * priority, ignore_result, shadow — with Celery's meaning (lib/canvas/sendOptions.ts).
 */
import type { TaskNode, TaskOptions } from '@/lib/canvas/model';
import { NumberField } from './fields';

export function SendOptions({
  t,
  setOpt,
}: {
  t: TaskNode;
  setOpt: (patch: Partial<Record<keyof TaskOptions, unknown>>) => void;
}) {
  return (
    <section className="cf-section">
      <h4>Sending (apply_async)</h4>
      <NumberField
        label="countdown to start (s)"
        testId="opt-apply_countdown"
        value={t.options.apply_countdown}
        placeholder="—"
        onChange={(v) => setOpt({ apply_countdown: v })}
        hint="Celery's countdown: the task starts this long after its message is sent"
      />
      <NumberField
        label="expires (s)"
        testId="opt-expires"
        value={typeof t.options.expires === 'number' ? t.options.expires : undefined}
        placeholder={typeof t.options.expires === 'string' ? t.options.expires : '—'}
        onChange={(v) => setOpt({ expires: v })}
        hint="Not started this long after sending: REVOKED without running"
      />
      <NumberField
        label="priority"
        testId="opt-priority"
        value={t.options.priority}
        placeholder="—"
        onChange={(v) => setOpt({ priority: v })}
        hint="0..255, lower runs first (BullMQ priority on the cluster)"
      />
      <label className="cf-field is-inline">
        <span>ignore_result</span>
        <input
          type="checkbox"
          data-testid="opt-ignore_result"
          checked={t.options.ignore_result === true}
          onChange={(e) => setOpt({ ignore_result: e.target.checked || undefined })}
        />
      </label>
      <label className="cf-field is-inline">
        <span>shadow</span>
        <input
          className="cf-input"
          data-testid="opt-shadow"
          placeholder="name shown"
          value={t.options.shadow ?? ''}
          onChange={(e) => setOpt({ shadow: e.target.value || undefined })}
        />
      </label>
    </section>
  );
}
