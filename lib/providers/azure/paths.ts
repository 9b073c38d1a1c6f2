import type { Endpoint } from '../types.ts';

/*
 * The Azure route accepts the paths the clients produce when only the host of their Azure URL is
 * replaced by Sluice's route (`https://<r>.openai.azure.com` → `…/v1/azure[/<profile>]`):
 * the AzureOpenAI client's `/openai/deployments/<d>/chat/completions` (with `endpoint`) or
 * `/deployments/<d>/chat/completions` (with `baseURL`), and the OpenAI client's
 * `/openai/v1/chat/completions` (Foundry v1), as well as plain `/chat/completions`.
 */
const CHAT = /^(?:\/openai(?:\/v1)?)?(?:\/deployments\/([^/]+))?\/chat\/completions\/?$/;
const RESPONSES = /^(?:\/openai(?:\/v1)?)?\/responses\/?$/;

export const matchAzureChat: Endpoint['match'] = (path): Record<string, string> | undefined => {
  const match = CHAT.exec(path);
  if (!match) return undefined;
  if (match[1] === undefined) return {};
  try {
    const deployment = decodeURIComponent(match[1]);
    return deployment ? { deployment } : undefined;
  } catch {
    return undefined;
  }
};

export const matchAzureResponses: Endpoint['match'] = (path) => (RESPONSES.test(path) ? {} : undefined);
