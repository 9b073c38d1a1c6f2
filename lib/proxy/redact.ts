/** Replaces every occurrence of the given secrets in a text meant for logs or records. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** The message of an upstream error body, whatever its dialect, for the interaction record. */
export function upstreamErrorMessage(status: number, body: Buffer): string {
  const text = body.toString('utf8', 0, Math.min(body.byteLength, 4096));
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message =
      typeof json.error === 'object' && json.error !== null ? json.error.message : (json.error ?? json.message);
    if (typeof message === 'string' && message !== '') return `HTTP ${status}: ${message}`;
  } catch {
    // not JSON: keep the text
  }
  return `HTTP ${status}: ${text.trim().slice(0, 300)}`;
}
