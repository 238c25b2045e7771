import { RunsList } from '@/components/run/RunsList';

export const metadata = { title: 'Runs · Chordflow' };

export default function RunsPage() {
  return <RunsList />;
}
