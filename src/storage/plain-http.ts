/**
 * Where storage may be reached in plain `http:`: this computer only, for a MinIO or Ceph on the
 * person's own machine (and the tests' servers). Exactly the hosts the Content Security Policy lets
 * the app connect to in plain http (`http://127.0.0.1:* http://localhost:*`, vite.config.ts):
 * CSP's grammar has no IPv6 literal, so `[::1]` is not among them, and other 127.x addresses would
 * be refused by the policy too. Everything else must be `https:`.
 */
export const PLAIN_HTTP_HOSTS: readonly string[] = ['127.0.0.1', 'localhost'];

export function plainHttpAllowed(hostname: string): boolean {
  return PLAIN_HTTP_HOSTS.includes(hostname);
}
