/** The Chain API's IAM caller → principal token mapping (`PRESCALE_IAM_PRINCIPALS`), without side effects. */
import { InputError } from '../core/model/index.js';

/**
 * Parses `PRESCALE_IAM_PRINCIPALS`.
 * @throws InputError when it is not a JSON object of strings
 */
export function parseIamPrincipals(text: string | undefined): Record<string, string> {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError({ file: 'PRESCALE_IAM_PRINCIPALS' }, (err as Error).message, 'valid JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
    throw new InputError({ file: 'PRESCALE_IAM_PRINCIPALS' }, raw, 'an object mapping IAM ARNs to bearer tokens');
  }
  return raw as Record<string, string>;
}

