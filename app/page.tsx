import { EditorPage } from '@/components/editor/EditorPage';

export default function HomePage() {
  return <EditorPage />;
}
