// What the MCP tests (tests/mcp/*.test.mjs) share: a git repository in a temporary
// directory with commits by the agent, the official SDK client connected over stdio, a
// real `gauntlet serve` on a free port, and `gauntlet approve` run as a person runs it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const AGENT = 'agent@example.com';

// A repository in `dir` whose commits are the agent's (author and committer).
export function repository(dir) {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Agent', GIT_AUTHOR_EMAIL: AGENT,
                GIT_COMMITTER_NAME: 'Agent', GIT_COMMITTER_EMAIL: AGENT };
  const repo = {
    dir,
    write(name, text) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    },
    read: (name) => fs.readFileSync(path.join(dir, name), 'utf8'),
    exists: (name) => fs.existsSync(path.join(dir, name)),
    git: (...args) => execFileSync('git', args, { cwd: dir, env }).toString(),
    // `git init` on main and a first commit of what is written.
    init(message = 'app') {
      repo.git('init', '-q', '-b', 'main');
      repo.git('add', '-A');
      repo.git('commit', '-qm', message);
    },
    head: () => repo.git('rev-parse', 'HEAD').trim(),
  };
  return repo;
}

// An environment (YAML under `environments:`) whose deployment writes the version into
// the file `marker`: a recreate of one instance, healthy at once.
export const recreateEnvironment = (name, marker) => `  ${name}:
    strategy: recreate
    instances: [{name: one, address: "127.0.0.1:1"}]
    deploy: echo \${{ release.version }} > ${marker}
    health: {type: command, command: "true", period: 50ms, failure_threshold: 1}
`;

// The official SDK client on `gauntlet mcp ARGS` started in `cwd`; `call` calls a tool.
// `env`, when given, is added to this process's environment for the server.
export async function connectStdio(bin, cwd, args = ['--as', AGENT], name = 'gauntlet-test', env) {
  const transport = new StdioClientTransport({
    command: bin, args: ['mcp', ...args], cwd, stderr: 'inherit',
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  const call = (tool, args, options) =>
    client.callTool({ name: tool, arguments: args }, undefined, { timeout: 120000, ...options });
  return { client, transport, call };
}

// `gauntlet serve ARGS` listening on a free loopback port; resolves once it listens.
// stop() ends it with SIGTERM and resolves with its {code, signal}: 0 when it stopped
// cleanly (under ASan a leak found at exit makes it non-zero).
export async function startServe(bin, args) {
  const server = spawn(bin, ['serve', '--listen', '127.0.0.1:0', ...args],
                       { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  const lines = readline.createInterface({ input: server.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    server.once('exit', (code) => reject(new Error(`gauntlet serve exited ${code}`)));
  });
  const port = Number(first.match(/127\.0\.0\.1:(\d+)/)[1]);
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      server.kill('SIGTERM');
      return exited;
    },
  };
}

// A person's environment: not inside a pipeline job (these tests may run inside one).
export function personEnv() {
  const env = { ...process.env };
  delete env.GAUNTLET_RUN_ID;
  delete env.GAUNTLET_JOB;
  return env;
}

// `gauntlet approve ARGS` in `cwd` as a person runs it: at a terminal (script(1) gives it
// one), outside any job. spawnSync's result.
export const approve = (bin, cwd, ...args) =>
  spawnSync('script', ['-qec', [bin, 'approve', ...args].map((a) => `'${a}'`).join(' '),
                       '/dev/null'], { cwd, env: personEnv() });

// `gauntlet ARGS --json` in `cwd`, parsed.
export const json = (bin, cwd, ...args) =>
  JSON.parse(execFileSync(bin, [...args, '--json'], { cwd }));

// A FIFO at `file` that a job reads from (`read line < FILE`): the job waits there until
// open() writes a line, so a test holds a run in a state for as long as it needs.
export function fifo(file) {
  execFileSync('mkfifo', [file]);
  return {
    path: file,
    // Asynchronous: opening a FIFO for writing blocks until its reader opens it.
    open: () => spawn('sh', ['-c', 'echo go > "$1"', 'sh', file], { stdio: 'ignore' }),
  };
}

// The notifications/resources/updated a client receives (`schema` is the SDK's
// ResourceUpdatedNotificationSchema). until(uri, predicate, seen) reads the resource after
// each update (those come before; several at once are read once), appends each state that
// differs from the last to `seen`, and resolves with the first that satisfies `predicate`;
// it fails after a minute with the states seen.
export function subscription(client, schema) {
  const uris = [];
  let pending = 0;
  let wake = () => {};
  client.setNotificationHandler(schema, (n) => {
    uris.push(n.params.uri);
    ++pending;
    wake();
  });
  async function until(uri, predicate, seen) {
    const deadline = Date.now() + 60000;
    for (;;) {
      if (pending === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no update satisfied the wait: ${JSON.stringify(seen)}`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => { clearTimeout(timer); resolve(); };
        });
        continue;
      }
      pending = 0;
      const { contents } = await client.readResource({ uri });
      const state = JSON.parse(contents[0].text);
      if (!seen.length || JSON.stringify(seen.at(-1)) !== JSON.stringify(state)) seen.push(state);
      if (predicate(state)) return state;
    }
  }
  return { uris, until };
}
