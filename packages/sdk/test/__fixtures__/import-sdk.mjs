// Imports the main entry and uses it; run with refuse-providers.mjs, so it fails if that loads @pk/providers.
const { Portkey, createHeaders, VERSION } = await import('@pk/sdk');
const client = new Portkey({ apiKey: 'pk', virtualKey: 'vk', config: { retry: { attempts: 2 } } });
const entry = process.argv[2];
if (entry === 'in-process') {
  const inProcess = await import('@pk/sdk/in-process');
  const local = new inProcess.Portkey({
    provider: 'openai',
    Authorization: 'sk',
    customHost: 'http://127.0.0.1:9/v1',
  });
  await local.chat.completions.create({ model: 'm', messages: [] });
}
process.stdout.write(
  JSON.stringify({ VERSION, keys: Object.keys(createHeaders({ virtualKey: 'vk' })), api: client.apiKey }),
);
