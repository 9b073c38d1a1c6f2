import { providerSetting, settingSchemas, type Config } from '../../config/index.ts';

/** The token scope of Microsoft Foundry (Claude on Foundry included). */
export const FOUNDRY_SCOPE = 'https://ai.azure.com/.default';
export const FOUNDRY_ENTRA_SETTING = 'SLUICE_ANTHROPIC_AZURE_FOUNDRY_ENTRA_ID_ENABLED';

/**
 * With SLUICE_ANTHROPIC_AZURE_FOUNDRY_ENTRA_ID_ENABLED=true, Sluice calls Claude on Microsoft
 * Foundry (SLUICE_ANTHROPIC_BASE_URL=https://<resource>.services.ai.azure.com/anthropic) with a
 * Microsoft Entra ID token instead of an API key.
 */
export function foundryEntraEnabled(config: Config): boolean {
  return providerSetting(config, FOUNDRY_ENTRA_SETTING, settingSchemas.booleanFlag.optional()) ?? false;
}
