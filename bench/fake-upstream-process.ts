import { FakeServer } from '../test/fakes/fake-server.ts';
import { openAiChat } from '../test/fakes/openai-upstream.ts';

/** The fake OpenAI upstream in its own process, answering at once: prints its URL on stdout. */
const chunks = Number(process.env.BENCH_STREAM_CHUNKS ?? 50);
const fake = await new FakeServer(openAiChat({ chunks, content: 'x'.repeat(chunks * 4) }), { record: false }).start();
process.stdout.write(`${fake.url}\n`);
process.once('SIGTERM', () => void fake.close().then(() => process.exit(0)));
