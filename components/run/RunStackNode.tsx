'use client';
/**
 * A stacked node on the run page's graph: counts live from the run state, failed members listed first
 * (then running, waiting …), each one click from its task drawer; expandable by range like the editor's.
 */
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo, useMemo, useState } from 'react';
import { STACK_MAX_EXPANDED, type StackRange } from '@/lib/canvas/stacks';
import { StackCard } from '../editor/stacks/StackCard';
import {
  MEMBER_ICON,
  MEMBER_STATUSES,
  type MemberStatus,
  memberStatus,
  type StackSummary,
} from '../editor/stacks/stackSummary';
import styles from '../editor/stacks/stacks.module.css';
import type { RunStateAt } from '../sim/model/runState';
import type { GraphStack } from './runGraphLayout';

export interface RunStackData extends Record<string, unknown> {
  stack: GraphStack;
  summary: StackSummary;
  state: RunStateAt;
  onSelect?(taskId: string): void;
  onRange(id: string, range: StackRange | null): void;
}

/** How many members the list shows (failed first). */
const LIST = 40;

/** Member indices ordered failed first, then running, retrying, queued, done, waiting. */
export function membersFailedFirst(
  stack: GraphStack,
  state: RunStateAt,
): Array<{ index: number; status: MemberStatus }> {
  const rank = new Map(MEMBER_STATUSES.map((s, i) => [s, i]));
  const list = stack.members.map((ids, index) => ({
    index,
    status: memberStatus(ids.map((id) => state.tasks.get(id))),
  }));
  return list.sort((a, b) => (rank.get(a.status) ?? 0) - (rank.get(b.status) ?? 0) || a.index - b.index);
}

function RunStackView({ data }: NodeProps<Node<RunStackData>>) {
  const { stack, summary, state, onSelect, onRange } = data;
  const [open, setOpen] = useState(false);
  const ordered = useMemo(
    () => (open ? membersFailedFirst(stack, state).slice(0, LIST) : []),
    [open, stack, state],
  );
  return (
    <div style={{ width: 248, position: 'relative' }} data-testid="run-stack" data-stack-id={stack.id}>
      <Handle type="target" position={Position.Left} style={{ opacity: 0 }} />
      <div style={{ height: 150 }}>
        <StackCard
          label={stack.label}
          count={stack.members.length}
          ownerLabel={stack.owner === 'chord' ? 'chord header' : 'group'}
          summary={summary}
          {...(stack.range.to > stack.range.from ? { range: stack.range } : {})}
          maxRange={STACK_MAX_EXPANDED}
          onRange={(r) => onRange(stack.id, r)}
          onMember={(i) => {
            const id = stack.members[i]?.[0];
            if (id !== undefined) onSelect?.(id);
          }}
          extraAction={
            <button
              type="button"
              className={styles.btn}
              data-testid="run-stack-members"
              onClick={() => setOpen(!open)}
            >
              {open ? 'Hide list' : 'Members'}
            </button>
          }
        />
      </div>
      {open ? (
        <ol className={`${styles.memberList} nowheel nodrag`} data-testid="run-stack-list">
          {ordered.map(({ index, status }) => (
            <li key={index}>
              <button
                type="button"
                className={styles.memberRow}
                data-testid="run-stack-member"
                data-status={status}
                onClick={() => {
                  const id = stack.members[index]?.[0];
                  if (id !== undefined) onSelect?.(id);
                }}
              >
                <span className={styles[`c_${status}`]}>{MEMBER_ICON[status]}</span> #{index + 1}{' '}
                <span className={styles.memberId}>{stack.members[index]?.[0]}</span>
              </button>
            </li>
          ))}
        </ol>
      ) : null}
      <Handle type="source" position={Position.Right} style={{ opacity: 0 }} />
    </div>
  );
}

export const RunStackNode = memo(RunStackView);
