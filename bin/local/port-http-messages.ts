import type { Interaction } from '../../lib/interactions/interaction.ts';

/**
 * What travels over a MessagePort between the gateway's DynamoDB request handler and the embedded
 * DynamoDB's worker: an HTTP exchange without the HTTP framing.
 */
export interface PortHttpRequest {
  id: number;
  method: string;
  /** Path and query, as in an HTTP request line. */
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

export interface PortHttpResponse {
  id: number;
  statusCode: number;
  /** Names lowercased, as node:http delivers them. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Interaction records for the embedded DynamoDB's worker to write together (see worker-record-writer.ts). */
export interface PortRecordWrite {
  id: number;
  records: Interaction[];
}

/** Whether each record of the batch `id` was stored, in the batch's order. */
export interface PortRecordWritten {
  id: number;
  written: boolean[];
}
