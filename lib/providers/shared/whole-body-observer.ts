import type { StreamObserver } from '../types.ts';

/**
 * For endpoints that never stream (embeddings, models): should an upstream still answer with a
 * stream, its bytes pass through unread and the body's end is its end.
 */
export function wholeBodyObserver(): StreamObserver {
  return {
    push: (chunk) => chunk,
    end: () => undefined,
    summary: () => ({}),
    completed: () => true,
    atEventBoundary: () => true,
  };
}
