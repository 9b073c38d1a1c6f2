import { FakeServer } from './fake-server.ts';
import { openAiChat } from './openai-upstream.ts';

/**
 * The fake OpenAI upstream on its own, for trying Sluice without a provider account:
 *   FAKE_PORT=8080 npm run fake:openai    then    SLUICE_OPENAI_BASE_URL=http://127.0.0.1:8080/v1 npm start
 */
const port = Number(process.env.FAKE_PORT ?? 0);
const chunks = Number(process.env.FAKE_STREAM_CHUNKS ?? 3);
const fake = await new FakeServer(openAiChat({ chunks }), { record: false }).start(port);
process.stdout.write(`${fake.url}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
