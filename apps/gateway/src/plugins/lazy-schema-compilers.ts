import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilerFactory = (...args: unknown[]) => unknown;

// fastify's own compilers, resolved next to fastify (they are its dependencies, not pk's).
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

function lazyFactory(moduleName: string): CompilerFactory {
  let factory: CompilerFactory | undefined;
  return (...args) => {
    factory ??= (requireFromFastify(moduleName) as () => CompilerFactory)();
    return factory(...args);
  };
}

/**
 * fastify's `schemaController.compilersFactory` with its default compilers (Ajv and
 * fast-json-stringify) required on the first route with a schema instead of when the app is made:
 * pk's routes declare none, so Ajv's ~90 modules (~1.5 MiB resident) are never loaded.
 */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
  return {
    compilersFactory: {
      buildValidator: lazyFactory('@fastify/ajv-compiler') as NonNullable<Factories['buildValidator']>,
      buildSerializer: lazyFactory('@fastify/fast-json-stringify-compiler') as NonNullable<
        Factories['buildSerializer']
      >,
    },
  };
}
