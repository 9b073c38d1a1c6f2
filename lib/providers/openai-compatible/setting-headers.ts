import * as z from 'zod';
import { providerSetting, type Config } from '../../config/index.ts';

// node:http refuses header values with line breaks or characters outside Latin-1; say so at the variable.
const headerValue = z.string().regex(/^[\t\x20-\x7e]*$/, 'must be printable ASCII (it is sent as an HTTP header)');

/** Headers whose values come from SLUICE_ settings (`{ 'x-title': 'SLUICE_OPENROUTER_TITLE' }`); unset ones are left out. */
export function headersFromSettings(settings: Readonly<Record<string, string>>): (config: Config) => Record<string, string> {
  return (config) => {
    const headers: Record<string, string> = {};
    for (const [header, variable] of Object.entries(settings)) {
      const value = providerSetting(config, variable, headerValue.optional());
      if (value !== undefined) headers[header] = value;
    }
    return headers;
  };
}
