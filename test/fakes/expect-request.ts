import type { FakeHandler, ReceivedRequest } from './fake-server.ts';

export interface RequestExpectation {
  method?: string;
  path?: string;
  /** Exact query parameters; `undefined` means the parameter must be absent. */
  query?: Record<string, string | undefined>;
  /** Exact header values; `undefined` means the header must be absent. */
  headers?: Record<string, string | undefined>;
  /** Top-level body fields the provider refuses, as Mistral refuses `stream_options` (422). */
  refusedBodyFields?: string[];
}

function problemsWith(req: ReceivedRequest, expected: RequestExpectation): string[] {
  const problems: string[] = [];
  if (expected.method && req.method !== expected.method) problems.push(`method ${req.method}, expected ${expected.method}`);
  if (expected.path !== undefined && req.path !== expected.path) problems.push(`path ${req.path}, expected ${expected.path}`);
  for (const [name, value] of Object.entries(expected.query ?? {})) {
    const got = req.query.get(name) ?? undefined;
    if (got !== value) problems.push(`query ${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const got = req.headers[name];
    if (got !== value) problems.push(`header ${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
  }
  return problems;
}

/**
 * A provider fake that checks what it received (path, credential, extra headers) before answering
 * with `inner`; a mismatch is answered with a 400 whose message says what differed, so the SDK
 * call in the test fails with that message.
 */
export function expectingRequest(expected: RequestExpectation, inner: FakeHandler): FakeHandler {
  return (req, res, raw) => {
    const body = (req.json ?? {}) as Record<string, unknown>;
    const refused = (expected.refusedBodyFields ?? []).filter((field) => field in body);
    if (refused.length > 0) {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'error',
          message: {
            detail: refused.map((field) => ({ type: 'extra_forbidden', loc: ['body', field], msg: 'Extra inputs are not permitted' })),
          },
          type: 'invalid_request_error',
          param: null,
          code: null,
        }),
      );
      return;
    }
    const problems = problemsWith(req, expected);
    if (problems.length > 0) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: `fake upstream: ${problems.join('; ')}`, type: 'invalid_request_error', param: null, code: 'fake_expectation' },
        }),
      );
      return;
    }
    return inner(req, res, raw);
  };
}
