import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.ts';
import { tableDefinitions } from '../../lib/storage/tables.ts';

describe('table definitions', () => {
  it('name the variable through which lib/config learns each table’s name', () => {
    for (const definition of tableDefinitions) {
      expect(loadConfig({}).storage.tables[definition.key]).toBe(definition.defaultName);
      expect(loadConfig({ [definition.environmentVariable]: 'from-the-stack' }).storage.tables[definition.key]).toBe('from-the-stack');
    }
  });
});
