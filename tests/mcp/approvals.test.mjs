// Approvals through the official MCP TypeScript SDK client over stdio: an L0 agent's
// deploy to production makes an approval request (the same one on a retry) instead of
// deploying; `gauntlet approve` refuses without a terminal, a person approves at one
// (`script` gives the command a terminal), the agent's same deploy then passes once, its
// audit row names the approval, and the next identical deploy asks again.
// Usage: node approvals.test.mjs GAUNTLET_BINARY EMPTY_DIR
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [bin, dir] = process.argv.slice(2);
const AGENT = 'agent@example.com';
fs.writeFileSync(path.join(dir, 'gauntlet.yml'), `name: app
jobs:
  build:
    run: "true"
environments:
  production:
    strategy: recreate
    instances: [{name: one, address: "127.0.0.1:1"}]
    deploy: echo \${{ release.version }} > deployed
    health: {type: command, command: "true", period: 50ms, failure_threshold: 1}
`);
fs.writeFileSync(path.join(dir, '.gitignore'), '.gauntlet/\ndeployed\n');
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Agent', GIT_AUTHOR_EMAIL: AGENT,
                 GIT_COMMITTER_NAME: 'Agent', GIT_COMMITTER_EMAIL: AGENT };
for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'app']])
  execFileSync('git', args, { cwd: dir, env: gitEnv });
const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();

// A person's shell: not inside a pipeline job (these tests may run inside one).
const personEnv = { ...process.env };
delete personEnv.GAUNTLET_RUN_ID;
delete personEnv.GAUNTLET_JOB;
const approve = (...args) =>
  spawnSync('script', ['-qec', [bin, 'approve', ...args].map((a) => `'${a}'`).join(' '),
                       '/dev/null'], { cwd: dir, env: personEnv });

const transport = new StdioClientTransport({
  command: bin, args: ['mcp', '--as', AGENT], cwd: dir, stderr: 'inherit',
});
const client = new Client({ name: 'gauntlet-approvals-test', version: '1.0.0' });
await client.connect(transport);
const deploy = () => client.callTool(
  { name: 'deploy', arguments: { environment: 'production', version: '1.0.0' } }, undefined,
  { timeout: 120000 });

let r = await deploy();
assert.equal(r.isError, true);
let m = r.content[0].text.match(/Approval (\d+) pending; a person runs `gauntlet approve (\d+)`/);
assert.ok(m, r.content[0].text);
const id = m[1];
assert.equal(m[2], id);
r = await deploy();  // a retry asks nothing twice
assert.match(r.content[0].text, new RegExp(`Approval ${id} pending`));
assert.ok(!fs.existsSync(path.join(dir, 'deployed')), 'nothing deployed');

const listed = JSON.parse(execFileSync(bin, ['approvals', '--json'], { cwd: dir }));
assert.equal(listed.length, 1);
assert.deepEqual(
  [listed[0].id, listed[0].kind, listed[0].environment, listed[0].version, listed[0].commit,
   listed[0].requested_by, listed[0].state],
  [Number(id), 'deploy', 'production', '1.0.0', head, AGENT, 'pending']);

// Without a terminal (an agent's shell tool, a script): refused, nothing decided.
const noTty = spawnSync(bin, ['approve', id], { cwd: dir, env: personEnv, stdio: ['ignore', 'pipe', 'pipe'] });
assert.equal(noTty.status, 2, noTty.stderr.toString());
assert.match(noTty.stderr.toString(), /for a person at a terminal/);
// Inside a pipeline job: refused even with a terminal.
const inJob = spawnSync('script', ['-qec', `'${bin}' approve ${id}`, '/dev/null'],
                        { cwd: dir, env: { ...personEnv, GAUNTLET_RUN_ID: '1' } });
assert.notEqual(inJob.status, 0);
let ok = approve(id, '--reason', 'reviewed');
assert.equal(ok.status, 0, ok.stdout.toString());
assert.match(ok.stdout.toString(), /approved/);

r = await deploy();
assert.equal(r.isError, false, r.content[0].text);
assert.equal(fs.readFileSync(path.join(dir, 'deployed'), 'utf8').trim(), '1.0.0');
// Used once: the same deploy again asks anew.
r = await deploy();
assert.equal(r.isError, true);
m = r.content[0].text.match(/Approval (\d+) pending/);
assert.ok(m && m[1] !== id, r.content[0].text);
ok = approve(id);
assert.equal(ok.status, 1, 'an approval already decided is not decided again');
await client.close();

const audit = JSON.parse(execFileSync(bin, ['audit', '--json', '--identity', AGENT], { cwd: dir }));
const deploys = audit.filter((a) => a.tool === 'deploy');
assert.deepEqual(deploys.map((a) => a.decision), ['denied', 'denied', 'allowed', 'denied']);
assert.equal(deploys[2].detail, `allowed by approval ${id}`);
assert.equal(deploys[2].outcome, 'ok');
const all = JSON.parse(execFileSync(bin, ['approvals', '--all', '--json'], { cwd: dir }));
const used = all.find((a) => a.id === Number(id));
assert.equal(used.state, 'approved');
assert.equal(used.reason, 'reviewed');
assert.ok(used.used_ms > 0);
console.log(`ok: approval ${id} requested, approved, used once`);
