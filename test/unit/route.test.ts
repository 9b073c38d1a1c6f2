import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import type { SluiceRequest } from '../../lib/http/request.ts';
import { openAiProvider } from '../../lib/providers/openai/provider.ts';
import { matchRoute } from '../../lib/proxy/route.ts';

function request(method: string, path: string): SluiceRequest {
  return { method, path, query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1', requestId: 'r', receivedAt: 0 };
}

describe('matchRoute', () => {
  it('uses the default profile when the path has no profile segment', () => {
    const match = matchRoute(request('POST', '/v1/openai/chat/completions'), openAiProvider);
    expect(match.profileId).toBe('default');
    expect(match.endpoint.operation).toBe('chat');
  });

  it('takes the first segment as the profile otherwise', () => {
    expect(matchRoute(request('POST', '/v1/openai/team-a/chat/completions'), openAiProvider).profileId).toBe('team-a');
    expect(matchRoute(request('POST', '/v1/openai/3f2b9c1e-0000-4000-8000-000000000000/chat/completions'), openAiProvider).profileId).toBe(
      '3f2b9c1e-0000-4000-8000-000000000000',
    );
  });

  it('refuses the wrong method with 405 and an unknown path with 404', () => {
    const wrongMethod = () => matchRoute(request('GET', '/v1/openai/chat/completions'), openAiProvider);
    expect(wrongMethod).toThrow(SluiceError);
    expect(() => wrongMethod()).toThrow(/GET is not allowed/);
    try {
      matchRoute(request('POST', '/v1/openai/a/b/chat/completions'), openAiProvider);
    } catch (error) {
      expect((error as SluiceError).status).toBe(404);
    }
    expect(() => matchRoute(request('POST', '/v1/openai/bad%20id/chat/completions'), openAiProvider)).toThrow(/No OpenAI route/);
  });
});
