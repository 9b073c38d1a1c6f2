import { FakeServer } from '../test/fakes/fake-server.ts';
import { openAiChat } from '../test/fakes/openai-upstream.ts';

/**
 * The benchmark's upstream, in its own process: the fake OpenAI server answering at once, with
 * streams of FAKE_STREAM_CHUNKS content chunks (500 by default), each in its own write (one event
 * loop turn apart, no timer), as a provider sends tokens. Prints its URL on the first line.
 */
const chunks = Number(process.env.FAKE_STREAM_CHUNKS ?? 500);
const fake = await new FakeServer(
  openAiChat({ chunks, content: 'word '.repeat(chunks), yieldBetweenChunks: true }),
  { record: false },
).start(0);
process.stdout.write(`${fake.url}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
