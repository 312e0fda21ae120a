// Loaded with `node --no-experimental-require-module`: any require() of an ES module throws.
const { createServer } = require('node:http');
const sdk = require('@pk/sdk');
const inProcess = require('@pk/sdk/in-process');

const loaded = () => Object.keys(require.cache).filter((path) => path.includes('/packages/providers/'));

async function main() {
  const afterRequire = loaded();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'from cjs' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${server.address().port}/v1`;
  const client = new inProcess.Portkey({
    virtualKey: 'vk',
    inProcess: { virtualKeys: { vk: { provider: 'openai', api_key: 'sk', custom_host: host } } },
  });
  const completion = await client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
  });
  // A `$regex` condition compiles with re2js, which the bundled @pk/config loads by require.
  const byRegex = {
    strategy: {
      mode: 'conditional',
      conditions: [{ query: { 'metadata.team': { $regex: '^sup' } }, then: 'a' }],
    },
    targets: [{ name: 'a', virtual_key: 'vk' }],
  };
  new sdk.Portkey({ config: byRegex });
  const routed = new inProcess.Portkey({
    config: byRegex,
    metadata: { team: 'support' },
    inProcess: { virtualKeys: { vk: { provider: 'openai', api_key: 'sk', custom_host: host } } },
  });
  const regexAnswer = await routed.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
  });
  await routed.runtime.close();
  server.close();
  await client.runtime.close();
  process.stdout.write(
    JSON.stringify({
      version: sdk.VERSION,
      headers: Object.keys(sdk.createHeaders({ virtualKey: 'vk' })),
      isOpenAI: new sdk.Portkey() instanceof require('openai').OpenAI,
      sameClass: client instanceof sdk.Portkey,
      providersAfterRequire: afterRequire.length,
      answer: completion.choices[0].message.content,
      regexAnswer: regexAnswer.choices[0].message.content,
    }),
  );
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
