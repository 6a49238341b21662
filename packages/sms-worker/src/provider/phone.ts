// Numbers are checked and normalised to E.164 before any API call: an invalid
// number fails its row with a reason and costs nothing at the provider.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type Normalised = { ok: true; e164: string } | { ok: false; reason: string };

export function normalisePhone(input: string, defaultRegion: string): Normalised {
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'invalid number: empty' };
  const parsed = parsePhoneNumberFromString(text, defaultRegion as CountryCode);
  if (!parsed) return { ok: false, reason: `invalid number: ${JSON.stringify(text)} is not a phone number` };
  if (!parsed.isValid()) {
    return { ok: false, reason: `invalid number: ${JSON.stringify(text)} is not a valid number${parsed.country ? ` for ${parsed.country}` : ''} (read as ${parsed.number})` };
  }
  return { ok: true, e164: parsed.number };
}
