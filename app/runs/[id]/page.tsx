import { RunDetail } from '@/components/run/RunDetail';

export const metadata = { title: 'Run · Chordflow' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunDetail runId={decodeURIComponent(id)} />;
}
