import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getRuntime } from '../../lib/runtime.ts';
import type { Profile } from '../../lib/profiles/profile.ts';

/** Writes a profile straight into the gateway's table (tests that do not go through the admin API). */
export async function putProfile(profile: Partial<Profile> & { id: string }): Promise<void> {
  const runtime = getRuntime();
  const now = new Date().toISOString();
  await runtime.db.send(
    new PutCommand({
      TableName: runtime.config.storage.tables.profiles,
      Item: { name: profile.id, createdAt: now, updatedAt: now, ...profile },
    }),
  );
  runtime.profiles.invalidate(profile.id);
}

export async function readProfile(id: string): Promise<Profile | undefined> {
  const runtime = getRuntime();
  const result = await runtime.db.send(new GetCommand({ TableName: runtime.config.storage.tables.profiles, Key: { id } }));
  return result.Item as Profile | undefined;
}
