import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Server-sent events out of a byte stream, whatever the chunking (eventsource-parser does the parsing). */
export class SseReader {
  private readonly decoder = new TextDecoder();
  private events: EventSourceMessage[] = [];
  private readonly parser = createParser({ onEvent: (event) => this.events.push(event) });

  push(chunk: Buffer): EventSourceMessage[] {
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    return this.take();
  }

  end(): EventSourceMessage[] {
    this.parser.feed(this.decoder.decode());
    return this.take();
  }

  private take(): EventSourceMessage[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

/** The parts `read` makes of each event whose data is a JSON object (others are skipped). */
export function readJsonEvents<T>(events: readonly EventSourceMessage[], read: (data: Record<string, unknown>, event: EventSourceMessage) => T[]): T[] {
  return events.flatMap((event) => {
    const data = parseJson(event.data);
    return data ? read(data, event) : [];
  });
}

export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
