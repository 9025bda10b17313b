// promote, abort and release through the official MCP TypeScript SDK client over stdio,
// each checked by its effect: a real canary (two slots, a `command` router writing the
// weights it is given, real deploy and stop commands) paused until promoted; a release
// against a local bare repository as the remote. An L0 agent's promote of production
// makes an approval request, as a deploy does; a person approves at a terminal; the same
// promote then passes once. Abort is always allowed. A policy letting L0 release.
// A subscription to gauntlet://deployments/staging while a person's `gauntlet deploy` (another
// process) goes through its canary steps: its deploy command and each two-slot router call
// wait on FIFOs the test opens, so every step is held until the test has seen it come
// through the subscription, in order.
// Usage: node deploy.test.mjs GAUNTLET_BINARY EMPTY_DIR
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { AGENT, approve, connectStdio, fifo, json, repository, subscription } from './common.mjs';

const [bin, dir] = process.argv.slice(2);
const app = path.join(dir, 'app');
const origin = path.join(dir, 'origin.git');
fs.mkdirSync(app);
const repo = repository(app);
repo.write('gauntlet.yml', `name: app
jobs:
  test: { run: "true" }
environments:
  production:
    strategy: canary
    instances: [{name: blue, address: "127.0.0.1:1"}, {name: green, address: "127.0.0.1:2"}]
    deploy: echo \${{ release.version }} > slot-\${{ slot }}
    stop: rm -f slot-\${{ slot }}
    router: command
    router_command: echo "$@" > weights
    steps: [50, {pause: {}}]
    pause: 0s
    scale_down_delay: 0s
    drain: 0s
    bake: 0s
    analysis: {pre_traffic: 0s}
    health: {type: command, command: "true", period: 50ms, failure_threshold: 1}
  staging:
    strategy: canary
    instances: [{name: blue, address: "127.0.0.1:3"}, {name: green, address: "127.0.0.1:4"}]
    deploy: if [ -p hold-deploy ]; then read line < hold-deploy; fi; echo \${{ release.version }} > staging-\${{ slot }}
    stop: rm -f staging-\${{ slot }}
    router: command
    router_command: echo "$@" > staging-weights; [ $# -lt 2 ] || read line < hold-route
    steps: [30, 60]
    pause: 0s
    scale_down_delay: 0s
    drain: 0s
    bake: 0s
    analysis: {pre_traffic: 0s}
    health: {type: command, command: "true", period: 50ms, failure_threshold: 1}
release:
  bump: [VERSION]
  quality: [test]
  gate: off
  remote: origin
`);
repo.write('VERSION', '1.0.0\n');
repo.write('.gitignore', '.gauntlet/\nslot-*\nweights\nstaging-*\nhold-*\n');
repo.init('feat: first');
repo.git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
execFileSync('git', ['init', '-q', '--bare', origin]);
repo.git('remote', 'add', 'origin', origin);
repo.write('src.txt', 'fixed\n');
repo.git('add', '-A');
repo.git('commit', '-qm', 'fix: a fix');
repo.git('push', '-q', 'origin', 'main', 'v1.0.0');
fs.writeFileSync(path.join(dir, 'policy.json'), JSON.stringify({ release_level: 'L0' }));
// The weights the router was last given, by slot name ("blue=50 green=50").
const weights = () => repo.read('weights').trim().split(' ').sort().join(' ');

// A person deploys 1.0.0, then 1.1.0, which pauses at 50% until promoted.
const deploy = (version) => spawnSync(bin, ['deploy', 'production', '--version', version],
                                      { cwd: app });
assert.equal(deploy('1.0.0').status, 0);
assert.equal(deploy('1.1.0').status, 1, 'paused');
assert.equal(weights(), 'blue=50 green=50');

const { client, call } = await connectStdio(
  bin, app, ['--as', AGENT, '--policy', path.join(dir, 'policy.json')], 'gauntlet-deploy-test');

// promote: L0 is below production's L3, so it asks a person.
let r = await call('promote', { environment: 'production' });
assert.equal(r.isError, true);
const m = r.content[0].text.match(/Approval (\d+) pending; a person runs `gauntlet approve \1`.*call promote again/);
assert.ok(m, r.content[0].text);
const id = m[1];
assert.equal(weights(), 'blue=50 green=50', 'nothing promoted');
let asked = json(bin, app, 'approvals');
assert.deepEqual(asked.map((a) => [a.id, a.kind, a.environment, a.version, a.requested_by]),
                 [[Number(id), 'promote', 'production', '1.1.0', AGENT]]);
r = await call('promote', { environment: 'production' });  // a retry asks nothing twice
assert.match(r.content[0].text, new RegExp(`Approval ${id} pending`));
assert.equal(approve(bin, app, id).status, 0);
r = await call('promote', { environment: 'production' });
assert.equal(r.isError, false, r.content[0].text);
assert.equal(r.structuredContent.state, 'succeeded');
assert.equal(weights(), 'blue=0 green=100', 'all traffic on the promoted slot');
assert.ok(!repo.exists('slot-blue'), 'the old slot stopped');
// Once: nothing is paused now, and the approval is used.
r = await call('promote', { environment: 'production' });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /no paused deployment to promote/);
assert.ok(json(bin, app, 'approvals', '--all').find((a) => a.id === Number(id)).used_ms > 0);

// abort: always allowed; the paused 1.2.0 is rolled back, traffic back on green.
assert.equal(deploy('1.2.0').status, 1, 'paused');
assert.equal(weights(), 'blue=50 green=50');
r = await call('abort', { environment: 'production' });
assert.equal(r.isError, false, r.content[0].text);
assert.equal(r.structuredContent.state, 'rolled_back');
assert.equal(weights(), 'green=100', 'traffic back on green alone');
assert.ok(!repo.exists('slot-blue'), 'the aborted slot stopped');
assert.equal(json(bin, app, 'deployments', 'production')[0].state, 'rolled_back');

// A deployment's steps through a subscription. Staging's first release goes straight to
// one slot (no router call with two slots, no FIFO yet); the second is held at its deploy
// command, then at every two-slot router call until the test has seen the weight before.
assert.equal(spawnSync(bin, ['deploy', 'staging', '--version', '2.0.0'], { cwd: app }).status, 0);
const holdDeploy = fifo(path.join(app, 'hold-deploy'));
const holdRoute = fifo(path.join(app, 'hold-route'));
const staging = 'gauntlet://deployments/staging';
const sub = subscription(client, ResourceUpdatedNotificationSchema);
await client.subscribeResource({ uri: staging });
const person = spawn(bin, ['deploy', 'staging', '--version', '2.1.0'], { cwd: app, stdio: 'ignore' });
const personDone = new Promise((resolve) => person.on('exit', resolve));
const seen = [];
const newest = (list) => list[0];
const at = (list) => newest(list).version === '2.1.0';
await sub.until(staging, (l) => at(l) && newest(l).phase === 'deploy', seen);
holdDeploy.open();
// The router is held before its weight is recorded: at the first step with weight 0, then
// with each weight applied (held at the next router call: 60, then the promotion's 100).
await sub.until(staging, (l) => at(l) && newest(l).phase === 'step', seen);
holdRoute.open();
for (const weight of [30, 60]) {
  await sub.until(staging, (l) => at(l) && newest(l).weight === weight, seen);
  holdRoute.open();
}
let done = await sub.until(staging, (l) => at(l) && newest(l).state !== 'running', seen);
assert.equal(await personDone, 0);
assert.equal(newest(done).state, 'succeeded', JSON.stringify(done));
assert.equal(newest(done).weight, 100);
assert.equal(repo.read('staging-weights').trim().split(' ').sort().join(' '), 'blue=0 green=100');
// In order: the states the subscription showed never went back a step or a weight.
const mine = seen.filter(at).map(newest);
const weightsSeen = [...new Set(mine.map((d) => d.weight))];
assert.deepEqual(weightsSeen, [0, 30, 60, 100], JSON.stringify(mine));
for (let i = 1; i < mine.length; ++i) {
  assert.ok(mine[i].weight >= mine[i - 1].weight, JSON.stringify(mine));
  assert.ok(mine[i].step >= mine[i - 1].step, JSON.stringify(mine));
}
assert.ok(sub.uris.every((u) => u === staging), JSON.stringify(sub.uris));
await client.unsubscribeResource({ uri: staging });

// release: a dry run changes nothing; a real one tags 1.0.1 and pushes it to origin.
const remoteTags = () => execFileSync('git', ['ls-remote', '--tags', origin]).toString();
r = await call('release', {});
assert.equal(r.isError, false, r.content[0].text);
assert.equal(r.structuredContent.status, 'dry_run');
assert.equal(r.structuredContent.version, '1.0.1');
assert.doesNotMatch(remoteTags(), /v1\.0\.1/);
r = await call('release', { dry_run: false }, { onprogress: () => {} });
assert.equal(r.isError, false, r.content[0].text);
assert.equal(r.structuredContent.status, 'released');
assert.equal(r.structuredContent.tag, 'v1.0.1');
assert.match(remoteTags(), /refs\/tags\/v1\.0\.1/);
assert.equal(repo.read('VERSION'), '1.0.1\n');
await client.close();

const audit = json(bin, app, 'audit', '--identity', AGENT);
const promotes = audit.filter((a) => a.tool === 'promote');
assert.deepEqual(promotes.map((a) => a.decision), ['denied', 'denied', 'allowed', 'denied']);
assert.equal(promotes[2].detail, `allowed by approval ${id}`);
assert.ok(audit.some((a) => a.tool === 'abort' && a.outcome === 'ok'));
assert.equal(audit.filter((a) => a.tool === 'release' && a.outcome === 'ok').length, 2);
console.log(`ok: promote by approval ${id}, abort, staging's steps ${weightsSeen.join(' ')} ` +
            `in ${sub.uris.length} updates, release v1.0.1 pushed`);
