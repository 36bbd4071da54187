/**
 * EC2 instance metadata (IMDSv2) for `prescale worker`: the spot interruption notice
 * (`/latest/meta-data/spot/instance-action`: 404 until AWS schedules the interruption, then
 * `{"action":"terminate"|"stop"|"hibernate","time":"…Z"}` two minutes ahead; EC2 User Guide, "Spot
 * Instance interruption notices") and the instance id. The base URL is injectable for tests.
 */
import type { SpotNotice } from '../../app/worker/pool-worker.js';

/** The link-local metadata endpoint. */
export const IMDS_URL = 'http://169.254.169.254';

/** Token lifetime asked for, seconds (IMDSv2 allows up to 21600). */
const TOKEN_TTL_SEC = 21_600;

/** A small IMDSv2 client. */
export class Imds {
  private token?: { value: string; expiresAtMs: number };

  /** @param timeoutMs per request (the endpoint answers in milliseconds on EC2; off EC2 it never answers) */
  constructor(private readonly baseUrl: string = IMDS_URL, private readonly timeoutMs = 1000) {}

  /** The interruption notice, or undefined when none is scheduled. @throws Error when IMDS cannot be reached */
  async spotNotice(): Promise<SpotNotice | undefined> {
    const r = await this.get('/latest/meta-data/spot/instance-action');
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`IMDS spot/instance-action answered ${r.status}`);
    const doc = JSON.parse(await r.text()) as { action?: string; time?: string };
    const at = Date.parse(doc.time ?? '');
    return { action: doc.action ?? 'terminate', actionAtSec: Number.isFinite(at) ? at / 1000 : Date.now() / 1000 + 120 };
  }

  /** This instance's id. @throws Error when IMDS cannot be reached */
  async instanceId(): Promise<string> {
    const r = await this.get('/latest/meta-data/instance-id');
    if (!r.ok) throw new Error(`IMDS instance-id answered ${r.status}`);
    return (await r.text()).trim();
  }

  private async get(path: string): Promise<Response> {
    const token = await this.tokenValue();
    const r = await fetch(`${this.baseUrl}${path}`, { headers: { 'X-aws-ec2-metadata-token': token }, signal: AbortSignal.timeout(this.timeoutMs) });
    if (r.status === 401) {
      this.token = undefined;
      return fetch(`${this.baseUrl}${path}`, { headers: { 'X-aws-ec2-metadata-token': await this.tokenValue() }, signal: AbortSignal.timeout(this.timeoutMs) });
    }
    return r;
  }

  private async tokenValue(): Promise<string> {
    if (this.token && this.token.expiresAtMs > Date.now() + 60_000) return this.token.value;
    const r = await fetch(`${this.baseUrl}/latest/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_SEC) }, signal: AbortSignal.timeout(this.timeoutMs) });
    if (!r.ok) throw new Error(`IMDS token request answered ${r.status}`);
    this.token = { value: await r.text(), expiresAtMs: Date.now() + TOKEN_TTL_SEC * 1000 };
    return this.token.value;
  }
}
