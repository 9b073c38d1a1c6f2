import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminResponse<T = unknown> {
  status: number;
  body: T;
}

/** The local admin API over HTTP, with the token the server keeps in its data directory. */
export function adminApi(baseUrl: string, dataDir: string) {
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const call = async <T = unknown>(method: string, path: string, body?: unknown): Promise<AdminResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    token,
    call,
    get: <T = unknown>(path: string) => call<T>('GET', path),
    post: <T = unknown>(path: string, body?: unknown) => call<T>('POST', path, body),
    patch: <T = unknown>(path: string, body: unknown) => call<T>('PATCH', path, body),
    delete: <T = unknown>(path: string) => call<T>('DELETE', path),
    /** Creates or fails loudly: for test set-up. */
    async create<T = unknown>(path: string, body: unknown): Promise<T> {
      const response = await call<T>('POST', path, body);
      if (response.status !== 201) throw new Error(`POST ${path} → ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
