/** Writes a command's result: JSON for scripts (--json), a readable table or lines for people. */
export class Output {
  readonly json: boolean;
  private readonly write: (text: string) => void;

  constructor(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)) {
    this.json = json;
    this.write = write;
  }

  data(value: unknown): void {
    this.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** Columns sized to their widest cell; `-` for an empty one. */
  table<T>(rows: readonly T[], columns: ReadonlyArray<[header: string, cell: (row: T) => unknown]>, empty: string): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const cells = rows.map((row) => columns.map(([, cell]) => show(cell(row))));
    const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((r) => r[i]!.length)));
    const format = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
    this.line(format(columns.map(([header]) => header)));
    for (const row of cells) this.line(format(row));
  }

  /** A record as `field: value` lines. */
  fields(entries: ReadonlyArray<[label: string, value: unknown]>): void {
    const width = Math.max(...entries.map(([label]) => label.length));
    for (const [label, value] of entries) this.line(`${`${label}:`.padEnd(width + 1)} ${show(value)}`);
  }
}

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (Array.isArray(value)) return value.length ? value.map(show).join(',') : '-';
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k}=${show(v)}`).join(',') : '-';
  }
  return String(value);
}
