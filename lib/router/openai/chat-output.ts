import { randomToken, type FinishReason, type RouterCompletion, type RouterUsage, type StreamPart } from '../neutral.ts';
import { chatUsage } from './usage-output.ts';

const now = () => Math.floor(Date.now() / 1000);
const completionId = (id: string | undefined) => `chatcmpl-${id ?? randomToken(24)}`;

/** A neutral completion as an OpenAI Chat Completion (thinking, when the provider returns it, as `reasoning_content`). */
export function chatCompletion(completion: RouterCompletion, model: string) {
  const hasCalls = completion.toolCalls.length > 0;
  return {
    id: completionId(completion.id),
    object: 'chat.completion',
    created: now(),
    model: completion.model ?? model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasCalls && completion.text === '' ? null : completion.text,
          refusal: null,
          ...(completion.reasoning !== '' ? { reasoning_content: completion.reasoning } : {}),
          ...(hasCalls
            ? { tool_calls: completion.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: completion.finishReason,
      },
    ],
    usage: chatUsage(completion.usage),
  };
}

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

/**
 * Writes neutral stream parts as a Chat Completions stream: the role first, then content, reasoning
 * and tool-call deltas, the finish chunk, the usage chunk when the client asked for one, `[DONE]`.
 */
export class ChatChunkEncoder {
  private id = completionId(undefined);
  private model: string;
  private readonly created = now();
  private readonly includeUsage: boolean;
  private started = false;
  private finishReason: FinishReason | undefined;
  private usage: RouterUsage | undefined;

  constructor(model: string, includeUsage: boolean) {
    this.model = model;
    this.includeUsage = includeUsage;
  }

  private chunk(delta: Record<string, unknown>, finish: FinishReason | null = null): string {
    return sse({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    return this.chunk({ role: 'assistant', content: '' });
  }

  write(parts: readonly StreamPart[]): string {
    let out = '';
    for (const part of parts) {
      switch (part.type) {
        case 'meta':
          if (!this.started) {
            if (part.id) this.id = completionId(part.id);
            if (part.model) this.model = part.model;
          }
          break;
        case 'text':
          out += this.start() + this.chunk({ content: part.text });
          break;
        case 'reasoning':
          out += this.start() + this.chunk({ reasoning_content: part.text });
          break;
        case 'tool-start':
          out +=
            this.start() +
            this.chunk({ tool_calls: [{ index: part.index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }] });
          break;
        case 'tool-args':
          out += this.start() + this.chunk({ tool_calls: [{ index: part.index, function: { arguments: part.text } }] });
          break;
        case 'finish':
          this.finishReason = part.reason;
          break;
        case 'usage':
          this.usage = part.usage;
          break;
      }
    }
    return out;
  }

  /** After a whole upstream stream: the finish chunk, the usage chunk if asked for, and `[DONE]`. */
  finish(): string {
    let out = this.start() + this.chunk({}, this.finishReason ?? 'stop');
    if (this.includeUsage) {
      out += sse({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: chatUsage(this.usage) });
    }
    return `${out}data: [DONE]\n\n`;
  }

  /** The upstream failed inside its stream: an error event, as OpenAI sends one (the SDKs raise it). */
  error(message: string): string {
    return sse({ error: { message, type: 'api_error', param: null, code: 'upstream_error' } });
  }

  summary(): { model: string; finishReason: FinishReason | undefined; usage: RouterUsage | undefined } {
    return { model: this.model, finishReason: this.finishReason, usage: this.usage };
  }
}
