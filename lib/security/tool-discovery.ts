import { createHash } from 'node:crypto';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Profile } from '../profiles/profile.ts';
import type { DiscoveredTool } from './policy-types.ts';
import type { DeclaredTool } from './tool-view.ts';

const REFRESH_LAST_SEEN_MS = 24 * 60 * 60 * 1000;
const MAX_TOOLS_PER_PROFILE = 500;

function schemaHash(tool: DeclaredTool): string {
  return createHash('sha256')
    .update(JSON.stringify([tool.description ?? null, tool.parameters ?? null]))
    .digest('base64url')
    .slice(0, 16);
}

/**
 * The tools a request declares that the profile does not know yet (or knows with another schema,
 * or saw more than a day ago), as they should be stored.
 */
export function toolsToRemember(profile: Profile, declared: readonly DeclaredTool[], now: Date): DiscoveredTool[] {
  const known = (profile.tools ?? {}) as Record<string, DiscoveredTool>;
  // One entry per name (the last declaration wins, as in a JSON object), and none for a nameless
  // tool: DynamoDB takes neither an empty attribute name nor two updates of one path.
  const byName = new Map(declared.filter((tool) => tool.name !== '').map((tool) => [tool.name, tool]));
  const out: DiscoveredTool[] = [];
  for (const tool of byName.values()) {
    const hash = schemaHash(tool);
    const existing = Object.hasOwn(known, tool.name) ? known[tool.name] : undefined;
    if (existing && existing.schemaHash === hash && now.getTime() - Date.parse(existing.lastSeenAt) < REFRESH_LAST_SEEN_MS) continue;
    out.push({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      firstSeenAt: existing?.firstSeenAt ?? now.toISOString(),
      lastSeenAt: now.toISOString(),
      schemaHash: hash,
    });
  }
  const room = MAX_TOOLS_PER_PROFILE - Object.keys(known).length;
  const isKnown = (tool: DiscoveredTool) => Object.hasOwn(known, tool.name);
  return out.filter(isKnown).concat(out.filter((tool) => !isKnown(tool)).slice(0, Math.max(0, room)));
}

/** Writes discovered tools into the profile's `tools` map; only called when something is new. */
export async function rememberTools(
  db: DynamoDBDocumentClient,
  tableName: string,
  profile: Profile,
  tools: readonly DiscoveredTool[],
): Promise<void> {
  if (tools.length === 0) return;
  if (profile.tools === undefined) {
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id: profile.id },
          UpdateExpression: 'SET #tools = :tools, #name = if_not_exists(#name, :name), createdAt = if_not_exists(createdAt, :now), updatedAt = :now',
          ConditionExpression: 'attribute_not_exists(#tools)',
          ExpressionAttributeNames: { '#tools': 'tools', '#name': 'name' },
          ExpressionAttributeValues: {
            ':tools': Object.fromEntries(tools.map((t) => [t.name, t])),
            ':name': profile.name,
            ':now': new Date().toISOString(),
          },
        }),
      );
      return;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
  const names: Record<string, string> = { '#tools': 'tools' };
  const values: Record<string, unknown> = {};
  const sets = tools.map((tool, i) => {
    names[`#t${i}`] = tool.name;
    values[`:t${i}`] = tool;
    return `#tools.#t${i} = :t${i}`;
  });
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { id: profile.id },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}
