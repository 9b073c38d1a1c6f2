import { errors } from 'jose';
import { SluiceError } from '../errors/sluice-error.ts';

/**
 * A failed JWT verification as a 401 that says what was wrong with the token (never the token), or
 * undefined when the failure was not the token's fault (a JWKS that could not be fetched).
 */
export function rejectedToken(error: unknown, what: string): SluiceError | undefined {
  if (error instanceof errors.JWTExpired) {
    return new SluiceError('unauthorized', `The ${what} has expired.`, { code: 'token_expired' });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new SluiceError('unauthorized', `The ${what} is not accepted: its '${error.claim}' claim is wrong.`, {
      code: 'invalid_token',
    });
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new SluiceError('unauthorized', `The ${what} is not valid: its signature or form does not verify.`, {
      code: 'invalid_token',
    });
  }
  return undefined;
}
