import type { FakeHandler } from './fake-server.ts';

export interface EmbeddingsBehaviour {
  dimensions?: number;
  promptTokens?: number;
}

/** Answers `POST /embeddings` as OpenAI does, in floats or base64 (what the openai SDK asks for by default). */
export function openAiEmbeddings(behaviour: EmbeddingsBehaviour = {}): FakeHandler {
  return (req, res) => {
    const body = (req.json ?? {}) as { model?: string; input?: unknown; encoding_format?: string };
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dimensions = behaviour.dimensions ?? 4;
    const data = inputs.map((_, index) => {
      const vector = Float32Array.from({ length: dimensions }, (_v, i) => (index + 1) * 0.25 + i * 0.125);
      return {
        object: 'embedding',
        index,
        embedding: body.encoding_format === 'base64' ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector),
      };
    });
    const promptTokens = behaviour.promptTokens ?? 8;
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
    res.end(
      JSON.stringify({
        object: 'list',
        data,
        model: body.model ?? 'text-embedding-3-small',
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      }),
    );
  };
}

export const FAKE_MODEL_IDS = ['gpt-4o-mini', 'gpt-4.1', 'text-embedding-3-small'];

/** Answers `GET /models` as OpenAI does. */
export function openAiModels(): FakeHandler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
    res.end(
      JSON.stringify({
        object: 'list',
        data: FAKE_MODEL_IDS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })),
      }),
    );
  };
}
