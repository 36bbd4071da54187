/**
 * Bearer-token authentication (issue 15): tokens are kept only as SHA-256 digests in a `Map`, so no
 * token string is ever an object key (`constructor`, `__proto__`, `toString` match nothing), and a
 * presented token is compared with every stored digest by `crypto.timingSafeEqual`, without stopping
 * at the first match, so the time taken does not depend on which (or whether a) token matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a token (UTF-8), 32 bytes. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Token digests → principal ids. */
export class TokenTable {
  private readonly entries: Array<{ digest: Buffer; principalId: string }> = [];

  /** @param tokens token → principal id, as in the configuration's `tokens` */
  constructor(tokens: Readonly<Record<string, string>>) {
    for (const [token, principalId] of Object.entries(tokens)) this.entries.push({ digest: tokenDigest(token), principalId });
  }

  /** The principal id `token` maps to, or undefined. Constant time in the token's content. */
  principalOf(token: string): string | undefined {
    const d = tokenDigest(token);
    let found: string | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(d, e.digest) && found === undefined) found = e.principalId;
    }
    return found;
  }
}
