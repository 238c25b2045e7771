import { BareFlowPage } from '@/components/bench/BareFlow';

/** Bench fixture: a bare React Flow page with `?n=` default nodes (scripts/bench/editor.ts). */
export default function BareBenchPage() {
  return <BareFlowPage />;
}
