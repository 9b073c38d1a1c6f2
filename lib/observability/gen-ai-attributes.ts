import type { Interaction } from '../interactions/interaction.ts';

/** `gen_ai.provider.name` well-known values of the OpenTelemetry GenAI conventions, by Sluice provider id. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  bedrock: 'aws.bedrock',
  azure: 'azure.ai.openai',
  cohere: 'cohere',
  deepseek: 'deepseek',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  groq: 'groq',
  mistral: 'mistral_ai',
  perplexity: 'perplexity',
  xai: 'x_ai',
};

/** `gen_ai.operation.name` well-known values, by Sluice operation. */
const OPERATION_NAMES: Readonly<Record<string, string>> = {
  chat: 'chat',
  responses: 'chat',
  messages: 'chat',
  converse: 'chat',
  embeddings: 'embeddings',
  embed: 'embeddings',
  completions: 'text_completion',
  generateContent: 'generate_content',
  generate_content: 'generate_content',
  streamGenerateContent: 'generate_content',
};

export type AttributeValue = string | number | boolean | string[];

/**
 * The OpenTelemetry GenAI span attributes (semantic conventions for GenAI client spans) of one
 * upstream call, from its interaction record. Token counts follow the record's convention, which
 * is the conventions' own (cache tokens are a part of gen_ai.usage.input_tokens).
 */
export function genAiAttributes(record: Interaction): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {
    'gen_ai.operation.name': OPERATION_NAMES[record.operation] ?? record.operation,
    'gen_ai.provider.name': PROVIDER_NAMES[record.provider] ?? record.provider,
  };
  const set = (name: string, value: AttributeValue | undefined) => {
    if (value !== undefined) attributes[name] = value;
  };
  set('gen_ai.request.model', record.model);
  set('gen_ai.response.model', record.responseModel);
  set('gen_ai.response.finish_reasons', record.finishReason === undefined ? undefined : [record.finishReason]);
  set('gen_ai.usage.input_tokens', record.inputTokens);
  set('gen_ai.usage.output_tokens', record.outputTokens);
  set('gen_ai.usage.cache_read.input_tokens', record.cacheReadTokens);
  set('gen_ai.usage.cache_creation.input_tokens', record.cacheWriteTokens);
  set('gen_ai.usage.reasoning.output_tokens', record.reasoningTokens);
  set('gen_ai.conversation.id', record.sessionId);
  set('gen_ai.agent.id', record.agentId);
  set('error.type', record.error?.kind);
  set('http.response.status_code', record.status || undefined);
  return attributes;
}

/**
 * The attributes X-Ray indexes (annotations), under names X-Ray accepts: letters, digits and
 * underscores, so `gen_ai.request.model` becomes `gen_ai_request_model`. Per-user values are
 * fine here (X-Ray is searched by trace, not aggregated like metrics).
 */
const ANNOTATED = [
  'gen_ai.operation.name',
  'gen_ai.provider.name',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.conversation.id',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'error.type',
];

export function annotationName(attribute: string): string {
  return attribute.replace(/[^A-Za-z0-9_]/g, '_');
}

export function annotatedAttributes(attributes: Record<string, AttributeValue>): Record<string, string | number | boolean> {
  const annotations: Record<string, string | number | boolean> = {};
  for (const name of ANNOTATED) {
    const value = attributes[name];
    if (value !== undefined && !Array.isArray(value)) annotations[annotationName(name)] = value;
  }
  return annotations;
}
