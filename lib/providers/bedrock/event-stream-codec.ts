import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** One codec for the process: it holds no per-stream state when used through encode/decode. */
export const eventStreamCodec = new EventStreamCodec(toUtf8, fromUtf8);

/** An `exception` frame as Bedrock sends one mid-stream; the SDK raises it as its typed error. */
export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return Buffer.from(
    eventStreamCodec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'exception' },
        ':exception-type': { type: 'string', value: exceptionType },
        ':content-type': { type: 'string', value: 'application/json' },
      },
      body: fromUtf8(JSON.stringify({ message })),
    }),
  );
}
