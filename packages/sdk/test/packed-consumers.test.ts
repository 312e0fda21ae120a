import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, packageRoot, run } from './support/built-package.js';

// The published packages as users get them: packed with pnpm (workspace:* becomes the version),
// installed with npm into an empty project, compiled by tsc under each module setting a user may
// pick, then run. The node16 cases turn skipLibCheck off, so every declaration file (ours and
// openai's, .d.cts and .d.ts) is checked as a user with that setting sees it; the others keep it
// on (tsc --init's default), which checks the consumer against the same types in a quarter the time.
const PUBLISHED = ['config', 'headers', 'providers', 'prices', 'sdk'];
const tsc = createRequire(join(packageRoot, 'package.json')).resolve('typescript/lib/tsc.js');
const consumerSource = join(packageRoot, 'test', '__fixtures__', 'consumer', 'consumer.ts');

interface ConsumerCase {
  /** Directory of the case, with a package.json of this `type`. */
  readonly name: string;
  readonly type: 'commonjs' | 'module';
  /** The consumer file, under these names. */
  readonly files: readonly string[];
  /** Beside `strict`, `target: es2022`, `types: []`, `outDir: out`, `skipLibCheck: true`. */
  readonly compilerOptions: Readonly<Record<string, unknown>>;
  /** Compiled files to run with node (none: type check only). */
  readonly outputs: readonly string[];
}

const cases: readonly ConsumerCase[] = [
  {
    name: 'node16-cjs',
    type: 'commonjs',
    files: ['consumer.ts'],
    compilerOptions: { module: 'node16', moduleResolution: 'node16', skipLibCheck: false },
    outputs: ['consumer.js'],
  },
  {
    name: 'node16-esm',
    type: 'module',
    files: ['consumer.ts'],
    compilerOptions: { module: 'node16', moduleResolution: 'node16', skipLibCheck: false },
    outputs: ['consumer.js'],
  },
  {
    name: 'nodenext',
    type: 'commonjs',
    files: ['consumer.cts', 'consumer.mts'],
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    outputs: ['consumer.cjs', 'consumer.mjs'],
  },
  {
    // TypeScript's old resolution (`moduleResolution: node`), still the default of many CommonJS
    // projects: it reads no `exports`, so `@pk/sdk/in-process` resolves through `typesVersions`.
    name: 'node10',
    type: 'commonjs',
    files: ['consumer.ts'],
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10' },
    outputs: ['consumer.js'],
  },
  {
    name: 'bundler',
    type: 'module',
    files: ['consumer.ts'],
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
    outputs: [],
  },
];

let project = '';

beforeAll(async () => {
  await buildIfStale();
  project = mkdtempSync(join(tmpdir(), 'pk-consumer-'));
  const tarballs = join(project, 'tarballs');
  await Promise.all(
    PUBLISHED.map((name) =>
      run('pnpm', ['pack', '--pack-destination', tarballs], {
        cwd: join(packageRoot, '..', name),
        timeout: 60_000,
      }),
    ),
  );
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pk-consumer', private: true }));
  // One install for every case; dependencies (openai, zod …) come from npm's cache or registry.
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock',
      ...readdirSync(tarballs).map((file) => join(tarballs, file)),
    ],
    { cwd: project, timeout: 170_000, env: userEnvironment() },
  );
  for (const consumer of cases) {
    const directory = join(project, consumer.name);
    mkdirSync(directory);
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: consumer.type }));
    for (const file of consumer.files) copyFileSync(consumerSource, join(directory, file));
    const compilerOptions = {
      target: 'es2022',
      strict: true,
      skipLibCheck: true,
      types: [],
      outDir: 'out',
      ...consumer.compilerOptions,
    };
    writeFileSync(
      join(directory, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: consumer.files }),
    );
  }
}, 300_000);

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
}, 60_000);

/** The environment without what pnpm sets for its scripts, so npm behaves as in a user's shell. */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));
}

/** Runs tsc on a case; resolves to its exit code and output. */
async function compile(consumer: ConsumerCase): Promise<{ exitCode: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: join(project, consumer.name),
      // Five compilations at once, two without skipLibCheck: minutes on a loaded machine.
      timeout: 240_000,
    });
    return { exitCode: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { exitCode: failed.code ?? -1, output: failed.stdout ?? String(error) };
  }
}

const expectedHeader = JSON.stringify({
  strategy: { mode: 'fallback', on_status_codes: [429, 503] },
  targets: [
    { virtual_key: 'openai-key', override_params: { model: 'gpt-4o' } },
    { virtual_key: 'anthropic-key', retry: { attempts: 2, on_status_codes: [429] } },
  ],
});

describe('the packed packages in a new project', () => {
  it.concurrent.each(cases.map((consumer) => [consumer.name, consumer] as const))(
    '%s: tsc accepts the consumer (imports, an as const config, instanceof PkError) and it runs',
    async (_name, consumer) => {
      expect(await compile(consumer)).toEqual({ exitCode: 0, output: '' });
      for (const output of consumer.outputs) {
        const { stdout } = await run(process.execPath, [join('out', output)], {
          cwd: join(project, consumer.name),
          timeout: 30_000,
        });
        // A CommonJS file require()s the CommonJS build and import()s the ESM one: two PkError
        // classes, which still recognise each other's errors.
        // Under `module: commonjs` tsc compiles `import()` itself to a require(): one copy.
        const twoCopies =
          consumer.compilerOptions.module !== 'commonjs' &&
          (output.endsWith('.cjs') || (output.endsWith('.js') && consumer.type === 'commonjs'));
        expect(JSON.parse(stdout), output).toEqual({
          header: expectedHeader,
          clients: true,
          code: 'PK_ERR_INVALID_CONFIG',
          twoCopies,
          thrownIsImportedPkError: true,
          importedErrorIsPkError: true,
        });
      }
    },
    300_000,
  );
});
