import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../bin/cli/admin-client.ts';
import { CliError } from '../../bin/cli/cli-error.ts';
import { FakeServer, type ReceivedRequest } from '../fakes/fake-server.ts';
import { runCli } from '../support/cli.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const awsEnv = {
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  SLUICE_ADMIN_TOKEN: undefined,
};
let deployed: FakeServer;

beforeAll(async () => {
  // Stands in for a deployed admin Function URL: records what the CLI sends.
  deployed = await new FakeServer((req, res) => {
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.method === 'POST' ? { id: 'p', name: 'P', createdAt: 'now', updatedAt: 'now' } : { items: [] }));
  }).start();
});

afterAll(() => deployed?.close());

/** Signs the received request again with the same credentials and time: the signatures must agree. */
async function expectValidSignature(received: ReceivedRequest, region: string): Promise<void> {
  const authorization = String(received.headers.authorization);
  const match = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/([a-z0-9-]+)\/lambda\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    authorization,
  );
  expect(match, authorization).not.toBeNull();
  const [, , signedRegion, signedHeaders, signature] = match!;
  expect(signedRegion).toBe(region);
  const amzDate = String(received.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) headers[name] = String(received.headers[name]);
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Sha256 });
  const url = new URL(`${deployed.url}${received.path}`);
  const resigned = await signer.sign(
    {
      method: received.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: received.path,
      query: Object.fromEntries(received.query),
      headers,
      body: received.body.byteLength ? received.body.toString('utf8') : undefined,
    },
    { signingDate },
  );
  expect(resigned.headers.authorization).toBe(`${authorization.slice(0, authorization.lastIndexOf('=') + 1)}${signature}`);
}

describe('the CLI against a deployed admin URL', () => {
  it('signs every request with SigV4 for the lambda service', async () => {
    const list = await runCli(['profiles', 'list', '--admin-url', deployed.url, '--sigv4', '--region', 'eu-west-1'], { env: awsEnv });
    expect(list.stderr).toBe('');
    expect(list.stdout).toBe('No profiles.\n');
    await expectValidSignature(deployed.last!, 'eu-west-1');

    const create = await runCli(['profiles', 'create', 'p', '--name', 'P', '--sigv4'], {
      env: { ...awsEnv, SLUICE_ADMIN_URL: deployed.url, AWS_REGION: 'us-east-2' },
    });
    expect(create.stderr).toBe('');
    expect(create.stdout).toBe("Created profile 'p'.\n");
    expect(deployed.last!.json).toEqual({ id: 'p', name: 'P' });
    await expectValidSignature(deployed.last!, 'us-east-2');
    expect(deployed.received.every((r) => !String(r.headers.authorization).startsWith('Bearer'))).toBe(true);
  });

  it('signs automatically for a Lambda function URL and takes the region from its host', () => {
    const client = new AdminClient({ adminUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws/', env: {} });
    expect(client.signed).toBe(true);
    expect(client.baseUrl).toBe('https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws');
  });

  it('asks for a region when it cannot tell one', () => {
    expect(() => new AdminClient({ adminUrl: 'https://admin.example.com', sigv4: true, env: {} })).toThrow(CliError);
  });
});
