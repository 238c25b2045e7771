export default function HomePage() {
  return (
    <main style={{ padding: 32 }}>
      <h1>Chordflow</h1>
      <p>Design, simulate and run Celery-style pipelines.</p>
    </main>
  );
}
