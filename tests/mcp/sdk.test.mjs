// Drives `gauntlet mcp` with the official MCP TypeScript SDK client over stdio, the way a
// coding agent does: list the tools and their schemas, run a pipeline and wait for it,
// diagnose the failing job to file:line, fix it, run again, ask the gate; an L0 identity
// is denied a production deploy with the reason, a rollback is allowed, and every call
// is in the audit trail. Usage: node sdk.test.mjs GAUNTLET_BINARY EMPTY_DIR
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { AGENT, connectStdio, json, recreateEnvironment, repository } from './common.mjs';

const [bin, dir] = process.argv.slice(2);
const repo = repository(dir);
const { write, git } = repo;
write('gauntlet.yml', `name: app
jobs:
  compile:
    run: gcc -Wall -c src/app.c -o /dev/null
    diagnostics: gcc
environments:
${recreateEnvironment('staging', 'deployed-staging')}${recreateEnvironment('production', 'deployed-production')}`);
write('.gitignore', '.gauntlet/\ndeployed-*\n');
write('src/app.c', 'int main(void) {\n  return 0;\n}\n');
repo.init();
git('checkout', '-qb', 'feature');
write('src/app.c', 'int main(void) {\n  int x = 1;\n  return missing + x;\n}\n');
git('commit', '-qam', 'feat: use missing');

const { client, transport } = await connectStdio(bin, dir, ['--as', AGENT], 'gauntlet-sdk-test');
assert.equal(client.getServerVersion().name, 'gauntlet');
assert.equal(transport._protocolVersion ?? LATEST_PROTOCOL_VERSION, LATEST_PROTOCOL_VERSION);

// The tools, each with an input schema, an output schema and a description for a model.
const { tools } = await client.listTools();
assert.deepEqual(tools.map((t) => t.name).sort(), [
  'abort', 'deploy', 'deployments', 'diagnose', 'gate', 'insight', 'logs', 'plan', 'promote',
  'release', 'rollback', 'run', 'run_status', 'trust', 'validate']);
for (const t of tools) {
  assert.equal(t.inputSchema.type, 'object', t.name);
  assert.equal(t.outputSchema.type, 'object', t.name);
  assert.ok(t.description.length > 80, `${t.name}: a description a model can act on`);
}
const deploy = tools.find((t) => t.name === 'deploy');
assert.deepEqual(deploy.inputSchema.required, ['environment', 'version']);

const call = (name, args, options) => client.callTool({ name, arguments: args }, undefined, options);

// Run: the id at once, then wait with progress.
let r = await call('run', {});
assert.equal(r.isError, false, JSON.stringify(r));
const first = r.structuredContent.run_id;
assert.ok(Number.isInteger(first));
const progress = [];
r = await call('run_status', { run_id: first, wait: true },
               { onprogress: (p) => progress.push(p), timeout: 120000 });
assert.equal(r.structuredContent.status, 'failed', JSON.stringify(r.structuredContent));
assert.ok(progress.length >= 1, 'progress notifications while waiting');
assert.equal(progress.at(-1).progress, progress.at(-1).total);

// Diagnose: the compile error as file:line, the same JSON as `gauntlet diagnose --json`.
r = await call('diagnose', { run_id: first });
const job = r.structuredContent.jobs[0];
assert.equal(job.name, 'compile');
const d = job.diagnostics.find((x) => x.message.includes('missing'));
assert.ok(d, JSON.stringify(job.diagnostics));
assert.equal(d.file, 'src/app.c');
assert.equal(d.line, 3);
// `diagnose` exits 1 when a job failed: its output is what counts.
// One diagnosis under both faces: the tool's JSON is the CLI's, whole.
const cliJson = (...args) => JSON.parse(spawnSync(bin, [...args, '--json'], { cwd: dir }).stdout.toString());
assert.deepEqual(r.structuredContent, cliJson('diagnose', String(first)));
assert.match(r.content[0].text, /src\/app\.c:3:/);
// And the gate's rejection of that run, with its diagnoses, is the CLI's too.
r = await call('gate', { run_id: first });
assert.equal(r.structuredContent.decision, 'reject', JSON.stringify(r.structuredContent));
assert.deepEqual(r.structuredContent, cliJson('gate', '--run', String(first)));
r = await call('diagnose', { run_id: first, job: 'compil' });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /has no job 'compil' \(jobs: compile\)/);

// Logs, paged.
r = await call('logs', { run_id: first, job: 'compile', limit: 1 });
assert.equal(r.structuredContent.lines.length, 1);
assert.ok(r.structuredContent.total_lines >= 1);

// Fix, re-run (waiting in the call this time), gate.
write('src/app.c', 'int main(void) {\n  int x = 1;\n  return x - 1;\n}\n');
git('commit', '-qam', 'fix: no missing');
r = await call('run', { wait: true }, { onprogress: () => {}, timeout: 120000 });
assert.equal(r.isError, false, JSON.stringify(r));
assert.equal(r.structuredContent.status, 'success');
r = await call('gate', {});
assert.equal(r.isError, false, r.content[0].text);
// The agent has merged nothing yet: L0, so a passing change still needs a person
// (docs/gates.md); the same verdict as `gauntlet gate --json` (exit 10) on the same run.
assert.equal(r.structuredContent.decision, 'needs-approval', JSON.stringify(r.structuredContent));
const cliGate = spawnSync(bin, ['gate', '--json'], { cwd: dir });
assert.equal(cliGate.status, 10, cliGate.stderr.toString());
const cliVerdict = JSON.parse(cliGate.stdout);
const checks = (v) => v.checks.map((c) => `${c.name}:${c.status}`);
assert.deepEqual(checks(r.structuredContent), checks(cliVerdict));
assert.ok(checks(cliVerdict).includes('jobs:pass'), JSON.stringify(cliVerdict.checks));
assert.equal(r.structuredContent.change.head, cliVerdict.change.head);

// Insight: the same report as `gauntlet insight --json` (its window ends at each call's now).
r = await call('insight', {});
assert.equal(r.isError, false, r.content[0].text);
const cliInsight = json(bin, dir, 'insight');
assert.deepEqual(r.structuredContent.read, cliInsight.read);
const jobsOf = (report) => report.pipelines.map((p) => [p.name, p.runs, p.jobs.map((j) => [j.name, j.runs, j.failed])]);
assert.deepEqual(jobsOf(r.structuredContent), jobsOf(cliInsight));
assert.equal(r.structuredContent.read.runs, 2);
r = await call('insight', { since: 'soon' });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /^since: /);

// The trust gateway: a new author (L0) may not deploy to production...
r = await call('trust', {});
assert.equal(r.structuredContent.level, 'L0');
r = await call('deploy', { environment: 'production', version: '1.0.0' });
assert.equal(r.isError, true);
assert.match(r.content[0].text, /needs trust level L3/);
assert.match(r.content[0].text, /agent@example\.com is L0/);
assert.ok(!repo.exists('deployed-production'), 'nothing deployed');
// ...but may deploy to staging, and roll back there.
for (const version of ['1.0.0', '1.1.0']) {
  r = await call('deploy', { environment: 'staging', version }, { timeout: 120000 });
  assert.equal(r.isError, false, r.content[0].text);
}
r = await call('rollback', { environment: 'staging' }, { timeout: 120000 });
assert.equal(r.isError, false, r.content[0].text);
assert.equal(repo.read('deployed-staging').trim(), '1.0.0');
r = await call('deployments', { environment: 'staging' });
assert.equal(r.structuredContent.deployments.length, 3);

// Resources: runs, their logs.
const { resources } = await client.listResources();
assert.ok(resources.some((x) => x.uri === `gauntlet://runs/${first}`));
const log = await client.readResource({ uri: `gauntlet://runs/${first}/logs/compile` });
assert.match(log.contents[0].text, /missing/);

// Bad input through the SDK: an unknown tool is a JSON-RPC error, wrong types a tool error.
await assert.rejects(call('deplyo', {}), (e) => e.code === -32602);
r = await call('run_status', { run_id: 'first' });
assert.equal(r.isError, true);
await client.close();

// The audit trail: every call, the denial with its reason.
const audit = json(bin, dir, 'audit', '--identity', AGENT);
const denied = audit.filter((a) => a.tool === 'deploy' && a.decision === 'denied');
assert.equal(denied.length, 1);
assert.equal(denied[0].arguments.environment, 'production');
assert.match(denied[0].detail, /L3/);
assert.ok(audit.some((a) => a.tool === 'rollback' && a.outcome === 'ok'));
assert.ok(audit.some((a) => a.tool === 'run_status' && a.decision === 'invalid'));
console.log(`ok: ${audit.length} audited calls`);
