import type { IncomingMessage } from 'node:http';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { FailedAttemptLimiter } from '../../lib/auth/failed-attempts.ts';
import { sameDigest, sha256Hex } from '../../lib/auth/sluice-secrets.ts';
import type { Config } from '../../lib/config/index.ts';

export const LOCAL_ADMIN_CALLER = 'local:admin-token';

/**
 * What the AWS_IAM Function URL does for the admin function on AWS, done locally: only a request
 * with the admin token reaches the handler, and it arrives with a caller identity, as on AWS.
 * Failed attempts are limited per source address like every other credential.
 */
export class LocalAdminGate {
  private readonly tokenHash: string;
  private readonly limiter: FailedAttemptLimiter;

  constructor(token: string, config: Config) {
    this.tokenHash = sha256Hex(token);
    this.limiter = new FailedAttemptLimiter(config.auth.failureLimit, config.auth.failureWindowMs);
  }

  /** undefined when the request may pass; otherwise the refusal to send. */
  refusal(req: IncomingMessage): { status: number; message: string; code: string } | undefined {
    const source = req.socket.remoteAddress ?? 'unknown';
    try {
      this.limiter.assertAllowed(source, 'admin-token');
    } catch (error) {
      return { status: 429, code: 'too_many_failed_attempts', message: (error as Error).message };
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match && sameDigest(sha256Hex(match[1]!), this.tokenHash)) return undefined;
    this.limiter.recordFailure(source, 'admin-token');
    return {
      status: 401,
      code: 'not_authenticated',
      message: 'The local admin API needs the bearer token kept in SLUICE_DATA_DIR/admin-token.',
    };
  }

  /** Marks an event as authenticated, the way an AWS_IAM Function URL does. */
  static authenticate(event: LambdaFunctionURLEvent): void {
    (event.requestContext as { authorizer?: unknown }).authorizer = {
      iam: {
        accessKey: 'local',
        accountId: '000000000000',
        callerId: LOCAL_ADMIN_CALLER,
        cognitoIdentity: null,
        principalOrgId: '',
        userArn: LOCAL_ADMIN_CALLER,
        userId: LOCAL_ADMIN_CALLER,
      },
    };
  }
}
