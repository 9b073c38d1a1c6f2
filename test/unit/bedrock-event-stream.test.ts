import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import { observeConverseStream } from '../../lib/providers/bedrock/event-stream.ts';
import { upstreamModelId } from '../../lib/providers/bedrock/model-id.ts';
import { bedrockControlPlaneUrl, bedrockRegion, bedrockSettings } from '../../lib/providers/bedrock/settings.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { converseStreamFrames, exceptionFrame } from '../fakes/bedrock-upstream.ts';

function feed(bytes: Buffer, cuts: number[]) {
  const observer = observeConverseStream();
  const forwarded: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    const out = observer.push(bytes.subarray(start, cut));
    if (out) forwarded.push(Buffer.from(out));
    start = cut;
  }
  observer.end();
  return { observer, forwarded };
}

describe('observeConverseStream', () => {
  const frames = converseStreamFrames({
    toolUses: [{ toolUseId: 'tu_1', name: 'lookup', input: { q: 'x' } }],
    usage: { inputTokens: 10, outputTokens: 4, cacheReadInputTokens: 3 },
  });
  const bytes = Buffer.concat(frames);

  it('forwards whole frames only, unchanged, however the bytes are cut', () => {
    for (const cuts of [[], [1], [3, 4, 5], Array.from({ length: 40 }, (_, i) => i * 7 + 1), [frames[0]!.length]]) {
      const { observer, forwarded } = feed(bytes, cuts.filter((c) => c < bytes.length));
      expect(Buffer.concat(forwarded).equals(bytes)).toBe(true);
      let offset = 0;
      for (const piece of forwarded) {
        // every forwarded piece starts at a frame boundary and holds whole frames
        const boundaries = frames.map((_, i) => frames.slice(0, i).reduce((n, f) => n + f.length, 0));
        expect(boundaries).toContain(offset);
        offset += piece.length;
        expect([...boundaries, bytes.length]).toContain(offset);
      }
      expect(observer.completed()).toBe(true);
    }
  });

  it('reads usage, tool use and the stop reason', () => {
    const { observer } = feed(bytes, [10, 200]);
    expect(observer.summary()).toEqual({
      usage: { inputTokens: 13, outputTokens: 4, cacheReadTokens: 3 },
      toolCalls: [{ id: 'tu_1', name: 'lookup' }],
      finishReason: 'tool_use',
    });
  });

  it('records an exception frame as the upstream’s error and counts it as the end', () => {
    const stream = Buffer.concat([frames[0]!, Buffer.from(exceptionFrame('throttlingException', 'Slow down.'))]);
    const { observer } = feed(stream, []);
    expect(observer.upstreamFailure!()).toBe('throttlingException: Slow down.');
    expect(observer.completed()).toBe(true);
  });

  it('holds a partial last frame back and reports the stream incomplete', () => {
    const cut = bytes.length - 5;
    const observer = observeConverseStream();
    const out = observer.push(bytes.subarray(0, cut));
    expect(out!.length).toBe(bytes.length - frames.at(-1)!.length);
    expect(observer.end()).toBeUndefined();
    expect(observer.completed()).toBe(false);
    expect(observer.atEventBoundary()).toBe(true);
  });

  it('stops at a frame whose checksum does not match, passing the good frames before it', () => {
    const corrupt = Buffer.from(frames[1]!);
    corrupt[corrupt.length - 6]! ^= 0xff;
    const observer = observeConverseStream();
    const out = observer.push(Buffer.concat([frames[0]!, corrupt, frames[2]!]));
    expect(out?.equals(Buffer.from(frames[0]!))).toBe(true);
    expect(observer.broken?.()).toBeInstanceOf(SluiceError);
    expect(observer.broken?.()?.code).toBe('malformed_event_stream');
    expect(observer.push(Buffer.from(frames[2]!))).toBeUndefined();
  });
});

describe('Bedrock model ids and endpoints', () => {
  it('prefixes only bare foundation-model ids', () => {
    expect(upstreamModelId('anthropic.claude-3-haiku-20240307-v1:0', 'eu')).toBe('eu.anthropic.claude-3-haiku-20240307-v1:0');
    expect(upstreamModelId('us.anthropic.claude-3-haiku-20240307-v1:0', 'eu')).toBe('us.anthropic.claude-3-haiku-20240307-v1:0');
    expect(upstreamModelId('global.anthropic.claude-opus-4-6-v1', 'us')).toBe('global.anthropic.claude-opus-4-6-v1');
    expect(upstreamModelId('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2', 'us')).toBe(
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2',
    );
    expect(upstreamModelId('x7k2p9q4r1', 'us')).toBe('x7k2p9q4r1');
    expect(upstreamModelId('anthropic.claude-v2', undefined)).toBe('anthropic.claude-v2');
  });

  it('reads the region from the runtime URL unless SLUICE_BEDROCK_REGION says otherwise', () => {
    const none = bedrockSettings(loadConfig({}));
    expect(bedrockRegion(none, 'https://bedrock-runtime.eu-central-1.amazonaws.com')).toBe('eu-central-1');
    expect(bedrockRegion(none, 'https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com')).toBe('us-gov-west-1');
    expect(bedrockRegion(none, 'https://vpce-0abc.bedrock-runtime.ap-south-1.vpce.amazonaws.com')).toBe('ap-south-1');
    expect(() => bedrockRegion(none, 'http://127.0.0.1:8080')).toThrow(/SLUICE_BEDROCK_REGION/);
    const explicit = bedrockSettings(loadConfig({ SLUICE_BEDROCK_REGION: 'us-west-2' }));
    expect(bedrockRegion(explicit, 'http://127.0.0.1:8080')).toBe('us-west-2');
    expect(bedrockControlPlaneUrl('https://bedrock-runtime.eu-central-1.amazonaws.com')).toBe('https://bedrock.eu-central-1.amazonaws.com');
    expect(bedrockControlPlaneUrl('http://127.0.0.1:8080')).toBeUndefined();
  });

  it('names the variable when a setting is invalid', () => {
    expect(() => bedrockSettings(loadConfig({ SLUICE_BEDROCK_IAM_AUTH_ENABLED: 'maybe' }))).toThrow(/SLUICE_BEDROCK_IAM_AUTH_ENABLED/);
    expect(() => bedrockSettings(loadConfig({ SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX: 'u s' }))).toThrow(
      /SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX/,
    );
    expect(bedrockSettings(loadConfig({ SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX: 'us.' })).inferenceProfilePrefix).toBe('us');
  });
});
