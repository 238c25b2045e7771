'use client';
/**
 * Relaunch, cancel and retry-from-failed for one run, each behind a dialog that says what will happen
 * (retry-from-failed lists which tasks run again and which results are replayed).
 */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { toCanvasJson } from '@/lib/canvas/canvasJson';
import { createCatalogue } from '@/lib/canvas/catalogue';
import type { CanvasFile, Json } from '@/lib/canvas/model';
import { withPayload } from '@/lib/canvas/payload';
import type { RunStateAt } from '../sim/model/runState';
import { cancelWorkflow, relaunchWorkflow, runNameOf, submitCanvas } from './api';
import { Dialog } from './Dialog';
import { parsePayloadText } from './payload';
import { retryComment } from './replayNames';
import { type FinalTaskState, retryPreviewOf } from './retryFromFailed';
import styles from './run.module.css';

export interface RunActionsProps {
  runId: string;
  /** The run's name; the retry run is called `<name>-retry`. */
  name: string;
  file: CanvasFile | null;
  payload: Json;
  state: RunStateAt;
  finished: boolean;
  failed: boolean;
}

type Open = 'relaunch' | 'cancel' | 'retry' | 'payload' | null;

function finalsOf(state: RunStateAt): Map<string, FinalTaskState> {
  const out = new Map<string, FinalTaskState>();
  for (const task of state.tasks.values()) {
    const outcome =
      task.status === 'success'
        ? 'success'
        : task.status === 'failure'
          ? 'failure'
          : task.status === 'not_run' || task.status === 'upstream_failed' || task.status === 'pending'
            ? 'not_run'
            : 'other';
    out.set(task.task_id, {
      task_id: task.task_id,
      name: task.name,
      outcome,
      ...(task.result !== undefined ? { result: task.result } : {}),
    });
  }
  return out;
}

/** The payload field of the relaunch and retry dialogs: the run's input, editable before it runs again. */
function InputField({ text, onChange }: { text: string; onChange(text: string): void }) {
  return (
    <>
      <label htmlFor="rerun-payload" className={styles.muted}>
        Input (payload) for the new run — edit it to run again with different data:
      </label>
      <textarea
        id="rerun-payload"
        className={styles.textarea}
        value={text}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        data-testid="rerun-payload"
      />
    </>
  );
}

const catalogue = createCatalogue();

export function RunActions({ runId, name, file, payload, state, finished, failed }: RunActionsProps) {
  const router = useRouter();
  const [open, setOpen] = useState<Open>(null);
  const [inputText, setInputText] = useState('');
  const show = (which: Open) => {
    setInputText(JSON.stringify(payload ?? {}, null, 2));
    setError('');
    setOpen(which);
  };
  /** The edited input, `undefined` when unchanged; throws the sentence when it is not a JSON object. */
  const editedInput = (): Json | undefined => {
    const parsed = parsePayloadText(inputText);
    if (!parsed.ok) throw new Error(parsed.message);
    return JSON.stringify(parsed.payload) === JSON.stringify(payload ?? {}) ? undefined : parsed.payload;
  };
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const retry = open === 'retry' && file ? retryPreviewOf(file, finalsOf(state)) : null;
  const preview = retry && 'problem' in retry ? null : retry;

  const act = async (fn: () => Promise<{ id?: string } | unknown>, navigate: boolean) => {
    setBusy(true);
    setError('');
    try {
      const result = (await fn()) as { id?: string } | null;
      setOpen(null);
      if (navigate && result && typeof result.id === 'string')
        router.push(`/runs/${encodeURIComponent(result.id)}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    setOpen(null);
    setError('');
  };
  const closeButton = (
    <button type="button" className={styles.button} onClick={close}>
      Close
    </button>
  );

  return (
    <div className={styles.row}>
      <button type="button" className={styles.button} onClick={() => show('payload')}>
        Payload
      </button>
      <button type="button" className={styles.button} onClick={() => show('relaunch')}>
        Relaunch
      </button>
      <button
        type="button"
        className={`${styles.button} ${styles.danger}`}
        disabled={finished}
        title={
          finished
            ? 'The run already finished.'
            : 'Stop the run: queued tasks are removed, running ones aborted.'
        }
        onClick={() => show('cancel')}
      >
        Cancel
      </button>
      <button
        type="button"
        className={styles.button}
        disabled={!finished || !failed || !file}
        title={
          !file
            ? 'This run has no canvas to retry from (it ran a saved definition): relaunch it instead.'
            : !finished || !failed
              ? 'Retry from failed is available once the run has failed.'
              : 'Run the failed and never-ran tasks again, replaying the results that succeeded.'
        }
        onClick={() => show('retry')}
      >
        Retry from failed
      </button>
      {open === 'payload' ? (
        <Dialog title="Payload" onClose={close} testId="payload-dialog" actions={closeButton}>
          <pre className={styles.pre}>{JSON.stringify(payload, null, 2)}</pre>
        </Dialog>
      ) : null}
      {open === 'relaunch' ? (
        <Dialog
          title="Relaunch this run?"
          onClose={close}
          testId="relaunch-dialog"
          actions={
            <>
              <button type="button" className={styles.button} onClick={close}>
                Keep as is
              </button>
              <button
                type="button"
                className={`${styles.button} ${styles.primary}`}
                disabled={busy}
                data-testid="relaunch-submit"
                onClick={() => act(() => relaunchWorkflow(runId, editedInput()), true)}
              >
                Relaunch
              </button>
            </>
          }
        >
          <p>
            A new run starts with the same canvas; every task runs again. This run and its history are kept.
          </p>
          <InputField text={inputText} onChange={setInputText} />
          {error ? <p className={styles.error}>{error}</p> : null}
        </Dialog>
      ) : null}
      {open === 'cancel' ? (
        <Dialog
          title="Cancel this run?"
          onClose={close}
          testId="cancel-dialog"
          actions={
            <>
              <button type="button" className={styles.button} onClick={close}>
                Keep running
              </button>
              <button
                type="button"
                className={`${styles.button} ${styles.danger}`}
                disabled={busy}
                onClick={() => act(() => cancelWorkflow(runId), false)}
              >
                Cancel run
              </button>
            </>
          }
        >
          <p>
            Tasks not started yet will not run; running tasks are asked to stop. Results of finished tasks are
            kept. This cannot be undone, but you can relaunch later.
          </p>
          {error ? <p className={styles.error}>{error}</p> : null}
        </Dialog>
      ) : null}
      {retry && 'problem' in retry ? (
        <Dialog title="Retry from failed" onClose={close} testId="retry-dialog" actions={closeButton}>
          <p className={styles.error} role="alert" data-testid="retry-problem">
            {retry.problem}
          </p>
        </Dialog>
      ) : null}
      {open === 'retry' && preview ? (
        <Dialog
          title="Retry from failed"
          onClose={close}
          testId="retry-dialog"
          actions={
            <>
              {closeButton}
              <button
                type="button"
                className={`${styles.button} ${styles.primary}`}
                disabled={busy || preview.rerun.length === 0}
                data-testid="retry-submit"
                onClick={() =>
                  act(() => {
                    const edited = editedInput();
                    const input = edited ?? payload;
                    // Replayed tasks do not take the payload; the tasks that run again get the edited one.
                    const retryFile =
                      edited === undefined ? preview.file : withPayload(preview.file, edited, catalogue);
                    return submitCanvas(
                      toCanvasJson(retryFile),
                      input,
                      runNameOf(`${name}-retry`),
                      undefined,
                      retryComment(runId),
                    );
                  }, true)
                }
              >
                Start new run ({preview.rerun.length} task{preview.rerun.length === 1 ? '' : 's'})
              </button>
            </>
          }
        >
          <p>
            A new run of the same canvas where tasks that succeeded are replaced by their stored results, so
            only these run again:
          </p>
          <ul data-testid="retry-rerun">
            {preview.rerun.map((t) => (
              <li key={t.task_id}>
                <strong>{t.name}</strong> <span className={styles.mono}>{t.task_id}</span> — {t.reason}
              </li>
            ))}
          </ul>
          <InputField text={inputText} onChange={setInputText} />
          {preview.reused.length > 0 ? (
            <>
              <p className={styles.muted}>
                Replayed (their stored results are passed on, their code does not run):
              </p>
              <ul className={styles.muted} data-testid="retry-reused">
                {preview.reused.map((t) => (
                  <li key={t.task_id}>
                    {t.name} <span className={styles.mono}>{t.task_id}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {error ? <p className={styles.error}>{error}</p> : null}
        </Dialog>
      ) : null}
    </div>
  );
}
