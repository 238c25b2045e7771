'use client';
/**
 * The editor's Run button: a payload editor (prefilled from the canvas or the tutorial's payload, with
 * the five tutorial scenarios one click away), the cluster's readiness in sentences, then
 * `POST /api/workflows {canvas, payload}` and the canvas switches to live mode (`LiveRunBanner`).
 */
import { useEffect, useState } from 'react';
import { toCanvasJson } from '@/lib/canvas/canvasJson';
import { createCatalogue } from '@/lib/canvas/catalogue';
import type { CanvasFile, Json, JsonObject } from '@/lib/canvas/model';
import { TUTORIAL_SCENARIOS } from '../sim/scenarios';
import { ApiError, clusterHealth, runNameOf, submitCanvas } from './api';
import { type ClusterReadiness, clusterReadiness, type HealthAnswer } from './clusterStatus';
import { Dialog } from './Dialog';
import { parsePayloadText, payloadIn, tutorialPayload, withPayload } from './payload';
import styles from './run.module.css';

export interface RunButtonProps {
  /** The document to run (null when the canvas is empty or invalid). */
  getFile(): CanvasFile | null;
  /** Why the document cannot run (validation problems), shown instead of submitting. */
  invalidReason?: string;
  /** The run's name (e.g. the document name); sanitized for the API. */
  name?: string;
  /** Called with the new run once the API accepted it. */
  onStarted(run: { id: string; file: CanvasFile; payload: Json }): void;
  /** The pipeline input (the document's payload), which prefills the dialog. */
  input?: JsonObject | undefined;
  /** The payload the person ran with becomes the pipeline input (edited once, used everywhere). */
  onInput?(payload: JsonObject): void;
}

const catalogue = createCatalogue();

export function RunButton({ getFile, invalidReason, name, onStarted, input, onInput }: RunButtonProps) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [readiness, setReadiness] = useState<ClusterReadiness | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [target, setTarget] = useState<'cluster' | 'celery'>('cluster');

  useEffect(() => {
    if (!open) return;
    let alive = true;
    setReadiness(null);
    clusterHealth()
      .then((h) => alive && setReadiness(clusterReadiness(h as HealthAnswer)))
      .catch(
        (err: unknown) =>
          alive && setReadiness(clusterReadiness(null, err instanceof Error ? err.message : undefined)),
      );
    return () => {
      alive = false;
    };
  }, [open]);

  const openDialog = () => {
    const file = getFile();
    const initial = input ?? (file && payloadIn(file)) ?? tutorialPayload('happy');
    setText(JSON.stringify(initial, null, 2));
    setError('');
    setOpen(true);
  };

  const pickScenario = (scenario: string) => {
    const parsed = parsePayloadText(text);
    const base = parsed.ok && parsed.payload && typeof parsed.payload === 'object' ? parsed.payload : {};
    setText(JSON.stringify({ ...(base as Record<string, Json>), scenario }, null, 2));
  };

  const run = async () => {
    const file = getFile();
    if (!file) {
      setError(invalidReason ?? 'The canvas is empty: add a task before running it.');
      return;
    }
    if (invalidReason) {
      setError(invalidReason);
      return;
    }
    const parsed = parsePayloadText(text);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setBusy(true);
    setError('');
    try {
      const ready = withPayload(file, parsed.payload, catalogue);
      const where = readiness?.celery ? target : 'cluster';
      const created = await submitCanvas(toCanvasJson(ready), parsed.payload, runNameOf(name ?? ''), where);
      setOpen(false);
      onInput?.(parsed.payload as JsonObject);
      onStarted({ id: created.id, file: ready, payload: parsed.payload });
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const currentScenario = (() => {
    const parsed = parsePayloadText(text);
    return parsed.ok && parsed.payload && typeof parsed.payload === 'object' && !Array.isArray(parsed.payload)
      ? parsed.payload.scenario
      : undefined;
  })();

  return (
    <>
      <button
        type="button"
        className={`${styles.button} ${styles.primary}`}
        onClick={openDialog}
        data-testid="run-button"
        title="Run this canvas on the worker cluster and watch it live"
      >
        ▶ Run
      </button>
      {open ? (
        <Dialog
          title="Run on the cluster"
          onClose={() => setOpen(false)}
          testId="run-dialog"
          actions={
            <>
              <button type="button" className={styles.button} onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button
                type="button"
                className={`${styles.button} ${styles.primary}`}
                onClick={run}
                disabled={busy || readiness?.canRun === false}
                data-testid="run-submit"
              >
                {busy ? 'Starting…' : 'Run'}
              </button>
            </>
          }
        >
          {readiness?.celery ? (
            <div className={styles.row} data-testid="run-target">
              <span className={styles.muted}>Run on:</span>
              <button
                type="button"
                className={`${styles.button} ${target === 'cluster' ? styles.primary : ''}`}
                onClick={() => setTarget('cluster')}
                data-testid="run-target-cluster"
              >
                Chordflow workers
              </button>
              <button
                type="button"
                className={`${styles.button} ${target === 'celery' ? styles.primary : ''}`}
                onClick={() => setTarget('celery')}
                data-testid="run-target-celery"
                title={`Your Celery cluster at ${readiness.celery} (its workers need -E for live start times)`}
              >
                Your Celery cluster
              </button>
            </div>
          ) : null}
          <label htmlFor="run-payload" className={styles.muted}>
            Payload — the pipeline input (JSON object; tasks that take <code>payload</code> receive it in
            their kwargs). What you run with is kept as the canvas input.
          </label>
          <div className={styles.row}>
            <span className={styles.muted}>Tutorial scenario:</span>
            {TUTORIAL_SCENARIOS.map((s) => (
              <button
                key={s}
                type="button"
                className={`${styles.button} ${currentScenario === s ? styles.primary : ''}`}
                onClick={() => pickScenario(s)}
                data-testid={`run-scenario-${s}`}
              >
                {s}
              </button>
            ))}
          </div>
          <textarea
            id="run-payload"
            className={styles.textarea}
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
            data-testid="run-payload"
          />
          {readiness === null ? <p className={styles.muted}>Checking the cluster…</p> : null}
          {readiness?.notes.map((note) => (
            <p
              key={note}
              className={readiness.canRun ? styles.notice : styles.error}
              data-testid="run-readiness"
            >
              {note}
            </p>
          ))}
          {error ? (
            <p className={styles.error} role="alert" data-testid="run-error">
              {error}
            </p>
          ) : null}
        </Dialog>
      ) : null}
    </>
  );
}
