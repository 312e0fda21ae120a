/** The gateway key an audit actor names, as the admin API answers it (`created_by_key`). */
export interface ActorKey {
  readonly id: string;
  readonly name: string | null;
  readonly status: 'active' | 'revoked' | 'deleted';
}

/**
 * Who did something, for the "By" column: a gateway key by its name (marked when it was revoked or
 * deleted since), its id kept in `title`; any other actor (`cli`, `anonymous`) as recorded.
 */
export function actorLabel(
  createdBy: string | null,
  key: ActorKey | null | undefined,
): { readonly label: string; readonly title?: string } {
  if (!key) return { label: createdBy ?? '' };
  const title = `gateway key ${key.id}`;
  if (key.name === null) return { label: `deleted key ${key.id}`, title };
  if (key.status === 'active') return { label: key.name, title };
  return { label: `${key.name} (${key.status})`, title };
}
