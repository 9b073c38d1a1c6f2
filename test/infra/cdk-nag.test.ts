import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminFunction, type FunctionSpec } from '../../lib/function-catalog.ts';
import { bedrockSpec, compatibleSpec, openAiSpec, synthGateway, type SynthOptions } from './support.ts';

// Synthesizing loads most of aws-cdk-lib; on a busy machine the first stack takes a while.
vi.setConfig({ testTimeout: 120_000 });

const admin: FunctionSpec = { ...adminFunction, entry: 'functions/openai.ts' };

/** Configurations that between them create every kind of resource the stack can have. */
const configurations: Record<string, SynthOptions> = {
  'the default stack': {},
  'every kind of function, alarm notifications, reserved concurrency': {
    catalog: [openAiSpec, compatibleSpec, bedrockSpec],
    adminFunction: admin,
    context: { alarmEmail: 'ops@example.com', reservedConcurrency: 10, logRetentionDays: 365 },
  },
  'Bedrock with client API keys': { catalog: [bedrockSpec], adminFunction: null, context: { bedrockIamAuth: false } },
};

function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)).sort();
}

/** Every acknowledgment recorded in the construct tree: rule id (and finding) with its reason. */
function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const found: Array<{ path: string; id: string; reason: string }> = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: node.node.path, id: id.replace(/^[^:]+::/, ''), reason });
      }
    }
  }
  return found;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cdk-nag AwsSolutions', () => {
  for (const [name, options] of Object.entries(configurations)) {
    it(`finds nothing unacknowledged in ${name}`, () => {
      const { stack } = synthGateway(options);
      expect(findings(stack)).toEqual([]);
    });

    it(`acknowledges, in ${name}, only findings that exist, each with its reason`, () => {
      const acknowledged = acknowledgments(synthGateway(options).stack);
      for (const { id, reason } of acknowledged) {
        expect(reason.length, id).toBeGreaterThan(40);
      }
      // The same stack with every acknowledgment dropped shows what each one covers.
      vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
      const raw = findings(synthGateway(options).stack);
      const acknowledgedIds = new Set(acknowledged.map((a) => a.id));
      const rawIds = new Set(raw.map((f) => f.split(' at ')[0]!));
      expect([...acknowledgedIds].filter((id) => !rawIds.has(id))).toEqual([]);
      // Each finding was acknowledged on the resource it was raised at (or an ancestor).
      for (const finding of raw) {
        const [id, path] = finding.split(' at ') as [string, string];
        expect(
          acknowledged.some((a) => a.id === id && (path === a.path || path.startsWith(`${a.path}/`))),
          finding,
        ).toBe(true);
      }
    });
  }
});
