// `node --import` this file: registers a resolve hook that refuses to load @pk/providers, so a test
// can prove an entry point never loads it.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === '@pk/providers') throw new Error('@pk/providers must not be loaded');
  return next(specifier, context);
}`),
);
