/** What `GET /console/api/session` answers. */
export interface SessionInfo {
  readonly signed_in: boolean;
  /** The zero-setup loopback default: no key exists, the console opens without sign-in. */
  readonly keyless: boolean;
  readonly key: { id: string; name: string; role: 'admin' | 'user'; tenant: string } | null;
  readonly csrf_token: string | null;
  readonly admin_key_exists?: boolean;
}
