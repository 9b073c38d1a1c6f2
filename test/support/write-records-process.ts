import { startEmbeddedStorage } from './embedded-storage.ts';
import { numberedRecord } from './records.ts';

/**
 * Writes RECORDS records, each with a map attribute (its credential), through the local server's
 * record writer into an in-memory embedded DynamoDB, then exits: a process to watch from outside
 * (for example under --trace-deopt).
 */
const count = Number(process.env.RECORDS ?? 2000);
const { dynamo, close } = await startEmbeddedStorage({ overPort: true });
const writer = dynamo.connectRecordWriter(() => {});
let stored = 0;
for (let first = 0; first < count; first += 100) {
  const batch = Array.from({ length: Math.min(100, count - first) }, (_, i) =>
    numberedRecord(first + i, { credential: { kind: 'virtual-key', id: `vk-${(first + i) % 7}` } }),
  );
  const written = await Promise.all(batch.map((record) => writer.write(record)));
  stored += written.filter(Boolean).length;
}
writer.close?.();
await close();
process.stdout.write(`stored ${stored}\n`);
