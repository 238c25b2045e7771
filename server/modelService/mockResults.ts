/** Mock model results per `task_type`, exactly as the seed's Flask app (`model_service/app.py`). */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Python's `len` counts code points. */
function pyLen(text: string): number {
  return [...text].length;
}

export function mockResult(taskType: string, text: string): { model: string; result: Json } {
  const len = pyLen(text);
  switch (taskType) {
    case 'preprocess':
      return {
        model: 'text-preprocessor-v1',
        result: {
          processed: text.toUpperCase(),
          tokens: text.split(/\s+/).filter((t) => t !== ''),
          length: len,
        },
      };
    case 'embed':
      return {
        model: 'embedding-v1',
        result: {
          embedding: Array.from({ length: 8 }, (_, i) => Math.round((len * 0.1 + i * 0.01) * 1e4) / 1e4),
          dimension: 8,
        },
      };
    case 'classify':
      return {
        model: 'classifier-v1',
        result: {
          label: len > 5 ? 'positive' : 'neutral',
          confidence: 0.92,
          categories: ['positive', 'neutral', 'negative'],
        },
      };
    case 'merge':
      return {
        model: 'aggregator-v1',
        result: { summary: `Merged analysis for: ${[...text].slice(0, 50).join('')}`, status: 'complete' },
      };
    default:
      return { model: 'unknown', result: { raw: text } };
  }
}
