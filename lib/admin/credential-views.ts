import { credentialStatus, type OAuthClientRecord, type VirtualKeyRecord } from '../auth/access-records.ts';

/** A virtual key as the admin API shows it: its record (which holds no secret) and its status. */
export function virtualKeyView(record: VirtualKeyRecord) {
  const { kind: _kind, ...view } = record;
  return { ...view, status: credentialStatus(record) };
}

/** An OAuth client as the admin API shows it: without the hash of its secret. */
export function oauthClientView(record: OAuthClientRecord) {
  const { kind: _kind, id: _id, secretHash: _secretHash, ...view } = record;
  return { ...view, status: credentialStatus(record) };
}

/** The changes of a PATCH body as attributes to set and to remove (null removes). */
export function patchAttributes(body: Record<string, unknown>): { set: Record<string, unknown>; remove: string[] } {
  const set: Record<string, unknown> = { updatedAt: new Date().toISOString() };
  const remove: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (value === null) remove.push(name);
    else if (value !== undefined) set[name] = value;
  }
  return { set, remove };
}
