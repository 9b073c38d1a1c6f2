import { FakeServer, type FakeHandler } from './fake-server.ts';
import { openAiEmbeddings, openAiModels, type EmbeddingsBehaviour } from './openai-embeddings-models.ts';
import { openAiResponses, type ResponsesBehaviour } from './openai-responses.ts';
import { openAiChat, type ChatBehaviour } from './openai-upstream.ts';

export interface OpenAiApiBehaviour {
  chat?: ChatBehaviour;
  responses?: ResponsesBehaviour;
  embeddings?: EmbeddingsBehaviour;
}

/** The OpenAI API by path: chat completions, Responses, embeddings and models, under any base path. */
export function openAiApi(behaviour: OpenAiApiBehaviour = {}): FakeHandler {
  const chat = openAiChat(behaviour.chat);
  const responses = openAiResponses(behaviour.responses);
  const embeddings = openAiEmbeddings(behaviour.embeddings);
  const models = openAiModels();
  return (req, res, raw) => {
    if (req.method === 'GET' && req.path.endsWith('/models')) return models(req, res, raw);
    if (req.path.endsWith('/responses')) return responses(req, res, raw);
    if (req.path.endsWith('/embeddings')) return embeddings(req, res, raw);
    return chat(req, res, raw);
  };
}

export async function startFakeOpenAiApi(behaviour: OpenAiApiBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(openAiApi(behaviour)).start();
}
