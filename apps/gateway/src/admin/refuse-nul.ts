import { PkError } from '@pk/config';
import type { FastifyRequest } from 'fastify';

const holdsNul = (value: unknown): boolean =>
  typeof value === 'string' ? value.includes('\0') : Array.isArray(value) && value.some(holdsNul);

/**
 * A `preValidation` hook of the control-plane routes: a path parameter or query value holding NUL is
 * a 400 naming it, on either engine (PostgreSQL's text cannot hold NUL and refuses the query; SQLite
 * would look for it and find nothing). Only these routes run it: proxied requests never do.
 */
export async function refuseNulInAddress(request: FastifyRequest): Promise<void> {
  for (const source of [request.params, request.query]) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [name, value] of Object.entries(source))
      if (holdsNul(value))
        throw new PkError('PK_ERR_INVALID_REQUEST', `${name} cannot hold the NUL character (\\u0000)`, {
          param: name,
        });
  }
}
