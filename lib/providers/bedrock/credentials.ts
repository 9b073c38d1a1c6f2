import { SluiceError } from '../../errors/sluice-error.ts';
import type { SluiceRequest } from '../../http/request.ts';

/**
 * The answer to a Bedrock call that brings no usable credential. An AWS SDK given IAM credentials
 * signs its request with SigV4 for Sluice's host; that signature cannot be used upstream (and
 * Sluice cannot verify it), so it is never forwarded: the answer says what works instead.
 */
export function missingCredential(request: SluiceRequest): SluiceError {
  const sigv4 = /^AWS4-HMAC-SHA256\b/i.test(request.headers.authorization ?? '');
  const how =
    'Send a Bedrock API key as `Authorization: Bearer <key>` (the AWS SDK does so with its `token` option or AWS_BEARER_TOKEN_BEDROCK), set SLUICE_BEDROCK_API_KEY, or run Sluice with SLUICE_BEDROCK_IAM_AUTH_ENABLED=true.';
  return new SluiceError(
    'unauthorized',
    sigv4
      ? `This request is signed with AWS SigV4. Sluice never forwards a client's signature (it is made for Sluice's host, not Bedrock's). ${how}`
      : `No Bedrock credential. ${how}`,
    { code: 'missing_api_key' },
  );
}
