import { createOAuthTokenHandler } from '../lib/auth/oauth-token-handler.ts';
import { streamingHandler } from './streaming-handler.ts';

/** `POST /oauth/token`, behind a public Function URL: OAuth clients authenticate with their own secret. */
export const handler = streamingHandler(createOAuthTokenHandler());
