import type { Config } from '../config/index.ts';
import { SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import { measureJson } from '../providers/shared/json-shape.ts';

/** The size of the request headers as they came on the wire: `name: value` and a line end each. */
export function headerBytes(headers: Record<string, string>): number {
  let size = 0;
  for (const [name, value] of Object.entries(headers)) size += name.length + Buffer.byteLength(value) + 4;
  return size;
}

/**
 * The limits on what Sluice accepts, checked once for every route before any body is parsed:
 * header and body size (413), and for a JSON body its nesting depth and its number of messages
 * and tools (400). Each error names the variable that sets the limit.
 */
export function checkRequestLimits(request: SluiceRequest, limits: Config['limits'], jsonBody: boolean): void {
  const headers = headerBytes(request.headers);
  if (headers > limits.maxHeaderBytes) {
    throw new SluiceError(
      'payload_too_large',
      `The request headers are ${headers} bytes; the limit is ${limits.maxHeaderBytes} (SLUICE_MAX_HEADER_BYTES).`,
      { code: 'request_headers_too_large' },
    );
  }
  if (request.body.byteLength > limits.maxBodyBytes) {
    throw new SluiceError(
      'payload_too_large',
      `The request body is ${request.body.byteLength} bytes; the limit is ${limits.maxBodyBytes} (SLUICE_MAX_BODY_BYTES).`,
      { code: 'request_too_large' },
    );
  }
  if (!jsonBody || request.body.byteLength === 0) return;
  const shape = measureJson(request.body, limits.maxJsonDepth);
  if (shape.depth > limits.maxJsonDepth) {
    throw new SluiceError(
      'bad_request',
      `The JSON body nests deeper than ${limits.maxJsonDepth} levels (SLUICE_MAX_JSON_DEPTH).`,
      { code: 'json_too_deep' },
    );
  }
  if (shape.messages > limits.maxMessages) {
    throw new SluiceError(
      'bad_request',
      `The request has ${shape.messages} messages; the limit is ${limits.maxMessages} (SLUICE_MAX_MESSAGES).`,
      { code: 'too_many_messages' },
    );
  }
  if (shape.tools > limits.maxTools) {
    throw new SluiceError('bad_request', `The request declares ${shape.tools} tools; the limit is ${limits.maxTools} (SLUICE_MAX_TOOLS).`, {
      code: 'too_many_tools',
    });
  }
}
