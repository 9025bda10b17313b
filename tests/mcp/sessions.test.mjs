// Sessions over stdio with the official SDK client. Resource subscriptions: a run started
// through `run` is subscribed to, and its updates (notifications/resources/updated, each
// followed by a read of the resource) show its states in order until the final one; the
// jobs wait on FIFOs the test opens, so every state is held until the test has seen it.
// Token identities: with $GAUNTLET_TOKEN the session is the token's name with its scope;
// an unknown token, or a --as naming someone else, ends `gauntlet mcp` with exit 2.
// Usage: node sessions.test.mjs GAUNTLET_BINARY EMPTY_DIR
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectStdio, fifo, json, repository, subscription } from './common.mjs';

const [bin, dir] = process.argv.slice(2);
const repo = repository(dir);
const gate1 = fifo(path.join(dir, 'gate1')), gate2 = fifo(path.join(dir, 'gate2'));
repo.write('gauntlet.yml', `name: app
jobs:
  first:
    run: read line < '${gate1.path}'
  second:
    needs: [first]
    run: read line < '${gate2.path}'
`);
repo.write('.gitignore', '.gauntlet/\ngate*\n');
repo.init();

const { client, call } = await connectStdio(bin, dir);
try {
  assert.equal(client.getServerCapabilities().resources.subscribe, true);
  let r = await call('run', {});
  assert.equal(r.isError, false, JSON.stringify(r));
  const uri = `gauntlet://runs/${r.structuredContent.run_id}`;

  const sub = subscription(client, ResourceUpdatedNotificationSchema);
  await client.subscribeResource({ uri });
  await assert.rejects(client.subscribeResource({ uri: 'gauntlet://runs/999999' }), /no run 999999/);
  await assert.rejects(client.subscribeResource({ uri: `${uri}/logs/first` }), /only gauntlet:\/\/runs\/ID/);

  const seen = [];
  const jobs = (s) => Object.fromEntries(s.jobs.map((j) => [j.name, j.status]));
  gate1.open();
  let s = await sub.until(uri, (x) => jobs(x).first === 'success', seen);
  assert.equal(s.status, 'running');
  gate2.open();
  s = await sub.until(uri, (x) => ['success', 'failed', 'cancelled'].includes(x.status), seen);
  assert.equal(s.status, 'success', JSON.stringify(s));
  assert.deepEqual(jobs(s), { first: 'success', second: 'success' });

  // In order: no job's state ever goes back.
  const rank = { pending: 0, queued: 0, running: 1, success: 2 };
  for (let i = 1; i < seen.length; ++i) {
    for (const name of ['first', 'second'])
      assert.ok(rank[jobs(seen[i])[name]] >= rank[jobs(seen[i - 1])[name]], JSON.stringify(seen));
  }
  assert.ok(sub.uris.every((u) => u === uri), JSON.stringify(sub.uris));
  await client.unsubscribeResource({ uri });
  console.log(`ok: ${sub.uris.length} updates, ${seen.map((x) => x.status).join(' ')}`);
} finally {
  await client.close();
}

// $GAUNTLET_TOKEN: the identity is the token's name, its scope caps the calls.
const tokens = path.join(dir, '.gauntlet', 'server');
const token = (name, scope) =>
  execFileSync(bin, ['token', 'create', '--name', name, '--scope', scope, '--state-dir', tokens])
    .toString().split('\n').find((l) => l.startsWith('gnt_'));
const reader = token('reader-bot', 'read');
const viaToken = await connectStdio(bin, dir, ['--server-state-dir', tokens], 'gauntlet-token-test',
                                    { GAUNTLET_TOKEN: reader });
try {
  let r = await viaToken.call('run_status', {});
  assert.equal(r.isError, false, JSON.stringify(r));
  r = await viaToken.call('run', {});
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /run needs a token of scope trigger and token 'reader-bot' has scope read/);
} finally {
  await viaToken.client.close();
}
const audit = json(bin, dir, 'audit', '--identity', 'reader-bot');
assert.deepEqual(audit.map((a) => [a.tool, a.decision]).sort(), [['run', 'denied'], ['run_status', 'allowed']]);

// Refused before any session: an unknown token, a --as that is someone else.
const mcp = (env, ...args) => spawnSync(bin, ['mcp', '--server-state-dir', tokens, ...args],
                                        { cwd: dir, input: '', env: { ...process.env, ...env } });
let p = mcp({ GAUNTLET_TOKEN: 'gnt_' + '0'.repeat(40) });
assert.equal(p.status, 2);
assert.match(p.stderr.toString(), /GAUNTLET_TOKEN: unknown or revoked token/);
p = mcp({ GAUNTLET_TOKEN: reader }, '--as', 'someone@example.com');
assert.equal(p.status, 2);
assert.match(p.stderr.toString(), /--as someone@example.com names someone else than .* reader-bot/);
p = mcp({ GAUNTLET_TOKEN: reader }, '--as', 'reader-bot');
assert.equal(p.status, 0, p.stderr.toString());
console.log('ok: token identities over stdio');
