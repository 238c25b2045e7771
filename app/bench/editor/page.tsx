import { BenchEditorPage } from '@/components/bench/BenchEditor';

/** Bench fixture: the editor with `?n=` generated tasks (scripts/bench/editor.ts). */
export default function EditorBenchPage() {
  return <BenchEditorPage />;
}
