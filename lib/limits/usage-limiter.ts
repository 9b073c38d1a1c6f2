import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SluiceError } from '../errors/sluice-error.ts';
import { describeAmount, unitsUp } from './counter-units.ts';
import type { Limit, LimitSubject } from './limit.ts';
import { windowAt, type WindowSpan } from './windows.ts';

/** Counters outlive their window by a day (for inspection), then DynamoDB's TTL removes them. */
const COUNTER_GRACE_SECONDS = 86_400;

/** What one admitted request holds on one limit's counter until it settles. */
export interface Reservation {
  subject: LimitSubject;
  limit: Limit;
  counterId: string;
  window: WindowSpan;
  /** In counter units (see counter-units.ts). */
  reserved: number;
  max: number;
  /** The counter right after this reservation. */
  usedAfter: number;
}

/** `profile#team-a#daily-cost#2025-01-02`: one counter per subject, limit and window. */
export function counterId(subject: LimitSubject, limit: Limit, window: WindowSpan): string {
  return `${subject.kind}#${subject.id}#${limit.id}#${window.start}`;
}

function subjectName(subject: LimitSubject): string {
  return subject.kind === 'profile' ? `profile '${subject.id}'` : `virtual key '${subject.id}'`;
}

const PER = { hour: 'hour', day: 'day (UTC)', month: 'month (UTC)' } as const;

function refusal(subject: LimitSubject, limit: Limit, window: WindowSpan, max: number, amount: number, used: number | undefined): SluiceError {
  const usedText = used === undefined ? '' : ` ${describeAmount(limit.metric, used)} used so far this ${limit.window};`;
  return new SluiceError(
    'limit_exceeded',
    `Usage limit '${limit.id}' of ${subjectName(subject)} would be passed: at most ${describeAmount(limit.metric, max)} per ${PER[limit.window]};${usedText} this request may use up to ${describeAmount(limit.metric, amount)}. The window resets at ${window.end.toISOString()}.`,
    { code: 'usage_limit_exceeded' },
  );
}

function counterValue(item: unknown): number | undefined {
  const used = (item as { used?: unknown } | undefined)?.used;
  if (typeof used === 'number') return used;
  const raw = (used as { N?: string } | undefined)?.N;
  return raw === undefined ? undefined : Number(raw);
}

/**
 * Usage counters in DynamoDB, one item per subject, limit and window. A reservation is a single
 * conditional UpdateItem (ADD the estimate if the counter stays within the limit), so concurrent
 * requests, on any number of Lambda instances, can never together pass a limit; a settlement ADDs
 * the difference between the true figure and the estimate.
 */
export class UsageLimiter {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.db = db;
    this.tableName = tableName;
  }

  /** Reserves `amount` (counter units) or throws a `limit_exceeded` SluiceError that names the limit. */
  async reserve(subject: LimitSubject, limit: Limit, amount: number, now: Date): Promise<Reservation> {
    const window = windowAt(limit.window, now);
    const max = unitsUp(limit.metric, limit.max);
    if (amount > max) throw refusal(subject, limit, window, max, amount, undefined);
    const id = counterId(subject, limit, window);
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression:
            'ADD #used :amount SET #subjectKind = :kind, #subjectId = :subject, #limitId = :limit, #metric = :metric, #window = :window, #windowStart = :start, #max = :max, #expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#used) OR (#used <= :threshold AND #used < :max)',
          ExpressionAttributeNames: {
            '#used': 'used',
            '#subjectKind': 'subjectKind',
            '#subjectId': 'subjectId',
            '#limitId': 'limitId',
            '#metric': 'metric',
            '#window': 'window',
            '#windowStart': 'windowStart',
            '#max': 'max',
            '#expiresAt': 'expiresAt',
          },
          ExpressionAttributeValues: {
            ':amount': amount,
            ':threshold': max - amount,
            ':max': max,
            ':kind': subject.kind,
            ':subject': subject.id,
            ':limit': limit.id,
            ':metric': limit.metric,
            ':window': limit.window,
            ':start': window.start,
            ':expires': Math.floor(window.end.getTime() / 1000) + COUNTER_GRACE_SECONDS,
          },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const usedAfter = counterValue(result.Attributes) ?? amount;
      return { subject, limit, counterId: id, window, reserved: amount, max, usedAfter };
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        const used = counterValue((error as { Item?: unknown }).Item) ?? (await this.currentValue(id));
        throw refusal(subject, limit, window, max, amount, used);
      }
      throw error;
    }
  }

  /** For a refusal's message, when DynamoDB did not return the item with the failed condition. */
  private async currentValue(id: string): Promise<number | undefined> {
    try {
      const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }));
      return counterValue(result.Item);
    } catch {
      return undefined;
    }
  }

  /** Adds `delta` (counter units, may be negative) to a reservation's counter, unconditionally. */
  async adjust(reservation: Reservation, delta: number): Promise<void> {
    if (delta === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id: reservation.counterId },
        // A counter that expired meanwhile is written again with its TTL, not left without one.
        UpdateExpression: 'ADD #used :delta SET #expiresAt = if_not_exists(#expiresAt, :expires)',
        ExpressionAttributeNames: { '#used': 'used', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':delta': delta,
          ':expires': Math.floor(reservation.window.end.getTime() / 1000) + COUNTER_GRACE_SECONDS,
        },
      }),
    );
  }
}
