import { RemovalPolicy, Stack, type CfnElement } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardResources } from './acknowledge.ts';
import { Construct } from 'constructs';
import type { TableAccess } from '../lib/function-catalog.ts';
import type { KeyAttribute, TableDefinition } from '../lib/storage/tables.ts';

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

/**
 * Sluice's DynamoDB tables, built from the same definitions the local server uses: on-demand,
 * point-in-time recovery, TTL where a definition names an attribute, kept when the stack is deleted.
 */
export class DataTables extends Construct {
  private readonly tables = new Map<TableDefinition['key'], { definition: TableDefinition; table: Table }>();

  constructor(scope: Construct, id: string, definitions: readonly TableDefinition[]) {
    super(scope, id);
    for (const definition of definitions) {
      const table = new Table(this, definition.key, {
        partitionKey: attribute(definition.partitionKey),
        sortKey: definition.sortKey && attribute(definition.sortKey),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: definition.timeToLiveAttribute,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of definition.globalSecondaryIndexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey && attribute(index.sortKey),
        });
      }
      this.tables.set(definition.key, { definition, table });
    }
  }

  get definitions(): TableDefinition[] {
    return [...this.tables.values()].map((entry) => entry.definition);
  }

  table(key: TableDefinition['key']): Table {
    const entry = this.tables.get(key);
    if (!entry) throw new Error(`no table definition for ${key}`);
    return entry.table;
  }

  /** `SLUICE_*_TABLE` → table name, for a function's environment. */
  environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const { definition, table } of this.tables.values()) env[definition.environmentVariable] = table.tableName;
    return env;
  }

  /**
   * Grants exactly the listed actions on each listed table (and on its indexes, for reads, when it
   * has any): one statement per table, so a policy reads table by table.
   */
  grant(role: Role, access: TableAccess): void {
    for (const [key, actions] of Object.entries(access) as Array<[TableDefinition['key'], readonly string[]]>) {
      if (actions.length === 0) continue;
      const { definition, table } = this.tables.get(key) ?? {};
      if (!definition || !table) throw new Error(`table access names an unknown table: ${key}`);
      const resources = [table.tableArn];
      const readsIndexes = actions.includes('Query') || actions.includes('Scan');
      if (readsIndexes && (definition.globalSecondaryIndexes?.length ?? 0) > 0) {
        resources.push(`${table.tableArn}/index/*`);
        const stack = Stack.of(table);
        const logicalId = stack.resolve(stack.getLogicalId(table.node.defaultChild as CfnElement)) as string;
        acknowledgeWildcardResources(
          role,
          [`<${logicalId}.Arn>/index/*`],
          `Query and Scan on the ${definition.key} table's global secondary indexes, all of which belong to that table.`,
        );
      }
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: [...new Set(actions)].map((a) => `dynamodb:${a}`), resources }),
      );
    }
  }
}
