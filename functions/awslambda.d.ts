import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { Writable } from 'node:stream';

declare global {
  /** The Lambda Node.js runtime's global for response streaming (and the local server's shim of it). */
  namespace awslambda {
    type StreamingHandler = (event: LambdaFunctionURLEvent, responseStream: Writable, context: Context) => Promise<void>;
    function streamifyResponse(handler: StreamingHandler): StreamingHandler;
    const HttpResponseStream: {
      from(stream: Writable, prelude: { statusCode: number; headers?: Record<string, string>; cookies?: string[] }): Writable;
    };
  }
}

export {};
