import type { Results, Row } from './results.ts';

const LABELS: Record<string, string> = { sluice: 'Sluice', portkey: 'Portkey', bare: 'bare proxy' };
const label = (name: string) => LABELS[name] ?? name;

function table(headers: string[], rows: Array<Array<string | number | undefined>>, leftColumns = 2): string {
  const cell = (value: string | number | undefined) => (value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? '–' : String(value));
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map((_, i) => (i < leftColumns ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

const fixed = (digits: number) => (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? undefined : n.toFixed(digits));
const ms = fixed(2);
const signedMs = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? undefined : `${n >= 0 ? '+' : ''}${n.toFixed(2)}`);
const ratio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? undefined : `${n.toFixed(2)}×`);

function gatewaysOf(rows: readonly Row[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row.gateways)))];
}

function latencyTable(rows: readonly Row[]): string {
  const gateways = gatewaysOf(rows);
  const headers = ['workload', 'conc', 'direct p50 / p99'];
  for (const g of gateways) headers.push(`${label(g)} +p50`, `${label(g)} +p99`);
  for (const g of gateways) headers.push(`${label(g)} +TTFB p50 / p99`);
  for (const g of gateways) headers.push(`${label(g)} +gap p99`);
  return table(
    headers,
    rows.map((row) => {
      const cells: Array<string | undefined | number> = [row.workload, row.concurrency, `${ms(row.direct.p50)} / ${ms(row.direct.p99)}`];
      for (const g of gateways) cells.push(signedMs(row.gateways[g]?.addedP50Ms), signedMs(row.gateways[g]?.addedP99Ms));
      for (const g of gateways) cells.push(`${signedMs(row.gateways[g]?.addedTtfbP50Ms)} / ${signedMs(row.gateways[g]?.addedTtfbP99Ms)}`);
      for (const g of gateways) cells.push(signedMs(row.gateways[g]?.addedGapP99Ms));
      return cells;
    }),
  );
}

function throughputTable(rows: readonly Row[], cpus: number): string {
  const gateways = gatewaysOf(rows);
  const headers = ['workload', 'conc', 'direct req/s'];
  for (const g of gateways) headers.push(`${label(g)} req/s (× direct)`);
  if (gateways.includes('sluice') && gateways.includes('portkey')) headers.push('Sluice ÷ Portkey');
  for (const g of gateways) headers.push(`${label(g)} CPU ms/req`);
  for (const g of gateways) headers.push(`${label(g)} peak RSS MB`);
  headers.push(`cores busy of ${cpus}: direct / ${gateways.map(label).join(' / ')}`);
  headers.push('errors');
  return table(
    headers,
    rows.map((row) => {
      const cells: Array<string | undefined | number> = [row.workload, row.concurrency, Math.round(row.direct.rps)];
      for (const g of gateways) {
        const m = row.gateways[g];
        cells.push(m ? `${Math.round(m.rps)} (${ratio(m.throughputVsDirect)})` : undefined);
      }
      if (gateways.includes('sluice') && gateways.includes('portkey')) cells.push(ratio(row.sluiceVsPortkey));
      for (const g of gateways) {
        const m = row.gateways[g];
        // Sluice's local server also runs the embedded DynamoDB (a worker thread): shown in brackets without it.
        const withoutWorkers = m && m.cpuMsPerRequestMainOnly < m.cpuMsPerRequest * 0.99 ? ` (${m.cpuMsPerRequestMainOnly.toFixed(3)})` : '';
        cells.push(m ? `${m.cpuMsPerRequest.toFixed(3)}${withoutWorkers}` : undefined);
      }
      for (const g of gateways) cells.push(row.gateways[g]?.peakRssMb.toFixed(0));
      cells.push([row.direct, ...gateways.map((g) => row.gateways[g])].map((m) => fixed(2)(m?.coresBusy) ?? '–').join(' / '));
      cells.push(row.direct.errors + Object.values(row.gateways).reduce((sum, m) => sum + m.errors, 0));
      return cells;
    }),
  );
}

/** Each turn's figures side by side, to tell a difference from the machine's drift. */
function turnsTable(rows: readonly Row[]): string {
  const gateways = gatewaysOf(rows);
  const perTurn = (values: Array<string | undefined>) => values.map((v) => v ?? '–').join(' · ');
  const headers = ['workload', 'conc'];
  for (const g of gateways) headers.push(`${label(g)} +p50`, `${label(g)} +p99`);
  const versus = rows.some((row) => row.sluiceVsPortkeyByTurn);
  if (versus) headers.push('Sluice ÷ Portkey');
  return table(
    headers,
    rows.map((row) => {
      const cells: Array<string | number | undefined> = [row.workload, row.concurrency];
      for (const g of gateways) {
        const turns = row.turns[g] ?? [];
        cells.push(perTurn(turns.map((t) => signedMs(t.addedP50Ms))), perTurn(turns.map((t) => signedMs(t.addedP99Ms))));
      }
      if (versus) cells.push(row.sluiceVsPortkeyByTurn ? perTurn(row.sluiceVsPortkeyByTurn.map(ratio)) : undefined);
      return cells;
    }),
  );
}

function coldStartTable(results: Results): string {
  const runs = results.coldStarts[0]?.importMsRuns.length ?? 0;
  return table(
    ['function', 'bundle KiB', `import ms (median of ${runs})`, 'beside the bundle (imported lazily)'],
    results.coldStarts.map((c) => [c.name, (c.bytes / 1024).toFixed(1), c.importMsMedian.toFixed(1), c.sidePackages.join(', ') || '–']),
    1,
  );
}

/** The benchmark's tables as Markdown (printed, and pasted into docs/performance.md). */
export function formatReport(results: Results): string {
  const parts = [
    `Node ${results.node}, ${results.cpus} CPUs (${results.cpuModel ?? 'unknown'}), shared by the load generator, the fake upstream and the gateways; ` +
      `${results.secondsPerCase} s per case and target, in ${results.roundsPerCase} turns, after ${results.gatewayWarmupSeconds} s of warm-up per gateway; load average ${results.loadAverageBefore.join(' ')} before, ${results.loadAverageAfter.join(' ')} after.`,
    '',
    'Latency added over direct (ms; TTFB is the first body byte, gap the time between stream chunks):',
    '',
    latencyTable(results.rows),
    '',
    'Throughput and resources (CPU per request of the gateway process; Sluice in brackets without its embedded DynamoDB thread; ' +
      'cores busy: the serving process, the fake upstream and the load generator together over the measured time):',
    '',
    throughputTable(results.rows, results.cpus),
  ];
  if (results.roundsPerCase > 1) {
    parts.push('', 'Turn by turn (each turn of a gateway against the direct slice of the same turn; the tables above pool the turns):', '', turnsTable(results.rows));
  }
  if (results.coldStarts.length) {
    parts.push('', 'Cold start (bundles built as deployed; import timed in a fresh Node process):', '', coldStartTable(results));
  }
  return parts.join('\n');
}
