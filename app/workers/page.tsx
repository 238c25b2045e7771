import { WorkersPage } from '@/components/ops/WorkersPage';

export const metadata = { title: 'Workers · Chordflow' };

export default function Workers() {
  return <WorkersPage />;
}
