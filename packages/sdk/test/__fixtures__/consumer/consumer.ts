// A user's file, compiled by the packed-consumers test under node16 (CommonJS and ESM), nodenext
// (.cts and .mts), node10 and bundler, against the packed tarballs; not part of this package's type check.
import { createHeaders, PkError, type PkErrorCode, Portkey } from '@pk/sdk';
import { createInProcessRuntime, Portkey as InProcessPortkey } from '@pk/sdk/in-process';

// A config kept `as const` (literal types, readonly arrays), as users write them.
const fallback = {
  strategy: { mode: 'fallback', on_status_codes: [429, 503] },
  targets: [
    { virtual_key: 'openai-key', override_params: { model: 'gpt-4o' } },
    { virtual_key: 'anthropic-key', retry: { attempts: 2, on_status_codes: [429] } },
  ],
} as const;

function codeOf(error: unknown): PkErrorCode | undefined {
  return error instanceof PkError ? error.code : undefined;
}

async function main(): Promise<void> {
  const client = new Portkey({ apiKey: 'pk-key', config: fallback });
  const runtime = createInProcessRuntime({
    configs: { 'pc-fallback': fallback },
    virtualKeys: { 'openai-key': { provider: 'openai', api_key: 'sk-test' } },
  });
  const inProcess = new InProcessPortkey({ config: 'pc-fallback', inProcess: runtime });
  let invalid: unknown;
  try {
    createHeaders({ config: { retry: { attempts: -1 } } });
  } catch (error) {
    invalid = error;
  }
  // In a CommonJS file the static imports above are require() calls: this loads the ESM build.
  const imported = await import('@pk/sdk');
  const report = {
    header: createHeaders({ config: fallback })['x-portkey-config'],
    clients: client instanceof Portkey && inProcess instanceof Portkey,
    code: codeOf(invalid),
    twoCopies: imported.PkError !== PkError,
    thrownIsImportedPkError: invalid instanceof imported.PkError,
    importedErrorIsPkError: new imported.PkError('PK_ERR_TIMEOUT', 'late') instanceof PkError,
  };
  await runtime.close();
  console.log(JSON.stringify(report));
}

main().catch((error: unknown) => {
  console.error(error);
  throw error;
});
