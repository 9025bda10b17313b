// Approvals through the official MCP TypeScript SDK client over stdio: an L0 agent's
// deploy to production makes an approval request (the same one on a retry) instead of
// deploying; `gauntlet approve` refuses without a terminal, a person approves at one
// (`script` gives the command a terminal), the agent's same deploy then passes once, its
// audit row names the approval, and the next identical deploy asks again.
// Usage: node approvals.test.mjs GAUNTLET_BINARY EMPTY_DIR
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AGENT, approve as approveIn, connectStdio, json, personEnv, recreateEnvironment,
         repository } from './common.mjs';

const [bin, dir] = process.argv.slice(2);
const repo = repository(dir);
repo.write('gauntlet.yml', `name: app
jobs:
  build:
    run: "true"
environments:
${recreateEnvironment('production', 'deployed')}`);
repo.write('.gitignore', '.gauntlet/\ndeployed\n');
repo.init();
const head = repo.head();
const approve = (...args) => approveIn(bin, dir, ...args);

const { client } = await connectStdio(bin, dir, ['--as', AGENT], 'gauntlet-approvals-test');
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
assert.ok(!repo.exists('deployed'), 'nothing deployed');

const listed = json(bin, dir, 'approvals');
assert.equal(listed.length, 1);
assert.deepEqual(
  [listed[0].id, listed[0].kind, listed[0].environment, listed[0].version, listed[0].commit,
   listed[0].requested_by, listed[0].state],
  [Number(id), 'deploy', 'production', '1.0.0', head, AGENT, 'pending']);

// Without a terminal (an agent's shell tool, a script): refused, nothing decided.
const noTty = spawnSync(bin, ['approve', id], { cwd: dir, env: personEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
assert.equal(noTty.status, 2, noTty.stderr.toString());
assert.match(noTty.stderr.toString(), /for a person at a terminal/);
// Inside a pipeline job: refused even with a terminal.
const inJob = spawnSync('script', ['-qec', `'${bin}' approve ${id}`, '/dev/null'],
                        { cwd: dir, env: { ...personEnv(), GAUNTLET_RUN_ID: '1' } });
assert.equal(inJob.error, undefined, 'script(1) ran');
assert.equal(inJob.status, 2, inJob.stdout.toString());
assert.match(inJob.stdout.toString(), /not made from inside a pipeline job/);
let ok = approve(id, '--reason', 'reviewed');
assert.equal(ok.status, 0, ok.stdout.toString());
assert.match(ok.stdout.toString(), /approved/);

r = await deploy();
assert.equal(r.isError, false, r.content[0].text);
assert.equal(repo.read('deployed').trim(), '1.0.0');
// Used once: the same deploy again asks anew.
r = await deploy();
assert.equal(r.isError, true);
m = r.content[0].text.match(/Approval (\d+) pending/);
assert.ok(m && m[1] !== id, r.content[0].text);
ok = approve(id);
assert.equal(ok.status, 1, 'an approval already decided is not decided again');
await client.close();

const audit = json(bin, dir, 'audit', '--identity', AGENT);
const deploys = audit.filter((a) => a.tool === 'deploy');
assert.deepEqual(deploys.map((a) => a.decision), ['denied', 'denied', 'allowed', 'denied']);
assert.equal(deploys[2].detail, `allowed by approval ${id}`);
assert.equal(deploys[2].outcome, 'ok');
const all = json(bin, dir, 'approvals', '--all');
const used = all.find((a) => a.id === Number(id));
assert.equal(used.state, 'approved');
assert.equal(used.reason, 'reviewed');
assert.ok(used.used_ms > 0);
console.log(`ok: approval ${id} requested, approved, used once`);
