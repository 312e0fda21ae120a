import { CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { HiddenLine } from './hidden-line.js';
import { createProgram } from './program.js';

/**
 * Reads one line typed at the terminal with nothing shown (the terminal in raw mode), for a secret
 * given as `-` at a terminal: the terminal's own echo would leave it on screen and in scrollback.
 * Ctrl-C ends pk (raw mode turns it into a key, not a signal).
 */
function readHiddenLine(): Promise<string> {
  const stdin = process.stdin;
  const line = new HiddenLine();
  // Raw before the prompt shows: a key typed at once is not echoed by the terminal either.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  process.stderr.write('secret (not shown; end with Enter): ');
  return new Promise((resolve) => {
    const onData = (text: string) => {
      const state = line.feed(text);
      if (state === 'typing') return;
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (state === 'interrupted') process.exit(EXIT.interrupted);
      resolve(line.value);
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * All of stdin as text (a secret or a config piped in with `-`); a secret at a terminal is one line
 * typed unseen.
 */
async function readStdin(purpose?: 'secret'): Promise<string> {
  if (purpose === 'secret' && process.stdin.isTTY) return readHiddenLine();
  if (process.stdin.isTTY) process.stderr.write('reading from stdin (end with Ctrl-D)…\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Ctrl-C handled by a command (a log export cancels its job on the gateway): the first SIGINT calls
 * `handler`; a second one, while the command is still undoing, ends the process at once.
 */
function onInterrupt(handler: () => void): () => void {
  let received = 0;
  const listener = () => {
    received += 1;
    if (received === 1) handler();
    else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', listener);
  return () => {
    process.off('SIGINT', listener);
  };
}

/** Runs `pk` with the process's arguments and environment, and exits with a code of `EXIT`. */
async function main(): Promise<number> {
  const program = createProgram({
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin,
    onInterrupt,
  });
  try {
    await program.parseAsync(process.argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, `pk help <command>` and --version end here too, with commander's code 0 (help asked
      // for, on stdout); a usage error (help shown because a command was missing, on stderr, is one
      // too) has printed its message and has a code other than 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`pk: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`pk: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}

// A reader that stops early (`pk prompts list | head -1`) has what it wanted: not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw error;
});

// Set the code and let the event loop drain: stdout to a pipe is flushed before the process ends.
main().then((code) => {
  process.exitCode = code;
});
