// The benchmark's upstream: the fake OpenAI server in its own process (FAKE_STREAM_CHUNKS chunks per stream).
import '../test/fakes/serve-openai.ts';
