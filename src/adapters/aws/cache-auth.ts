/**
 * The prefetch cache's AUTH token from Secrets Manager (the CDK stack generates it, ElastiCache
 * in-transit encryption requires TLS with it): read once when a worker or function starts and put
 * into the Redis URL the ioredis client connects with (`rediss://:<token>@host:port`, TLS).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads a secret's string value (narrow, so tests can pass their own). */
export type SecretReader = (secretId: string) => Promise<string>;

/** A {@link SecretReader} over Secrets Manager `GetSecretValue`. */
export function secretsManagerReader(client: SecretsManagerClient = new SecretsManagerClient({})): SecretReader {
  return async (secretId) => {
    const r = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (r.SecretString === undefined || r.SecretString === '') throw new Error(`secret ${secretId} has no string value`);
    return r.SecretString;
  };
}

/**
 * `url` with the AUTH token of `secretId` as its password, over TLS (`rediss:`, as ElastiCache with
 * transit encryption requires).
 * @throws TypeError when `url` is not a URL; the reader's error when the secret cannot be read
 */
export async function redisUrlWithAuthToken(url: string, secretId: string, read: SecretReader): Promise<string> {
  const u = new URL(url);
  u.protocol = 'rediss:';
  u.password = encodeURIComponent(await read(secretId));
  return u.toString();
}
