// Drives `gauntlet serve`'s /mcp with the official MCP TypeScript SDK client over the
// Streamable HTTP transport, as a remote coding agent does: list the tools, run the
// pipeline and wait for it (progress over the SSE stream), diagnose the failing job to
// file:line; the token's name is the identity the gateway judges (an L0 deploy token is
// denied production), a read token is denied `run` and `deploy`; the transport's errors
// (no token 401, a bad session id 404, no session id 400, a foreign Origin 403, a wrong
// MCP-Protocol-Version 400, a second GET stream 409), DELETE ends a session, and the audit
// rows carry the token's name. A subscription to the run sends its updates on the GET
// stream until the run's final state. Usage: node http.test.mjs GAUNTLET_BINARY EMPTY_DIR
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { AGENT, fifo, recreateEnvironment, repository, startServe, subscription } from './common.mjs';

const [bin, dir] = process.argv.slice(2);
const src = path.join(dir, 'src');
const state = path.join(dir, 'state');
const repo = repository(src);
// The job waits for the test (a FIFO) so the run is still going when it subscribes.
const gate = fifo(path.join(dir, 'gate'));
repo.write('gauntlet.yml', `name: app
jobs:
  compile:
    run: read line < '${gate.path}'; gcc -Wall -c src/app.c -o /dev/null
    diagnostics: gcc
environments:
${recreateEnvironment('production', 'deployed')}`);
repo.write('src/app.c', 'int main(void) {\n  int x = 1;\n  return missing + x;\n}\n');
repo.init('feat: use missing');

const token = (name, scope) =>
  execFileSync(bin, ['token', 'create', '--name', name, '--scope', scope, '--state-dir', state])
    .toString().trim().split('\n').find((l) => l.startsWith('gnt_'));
const deployToken = token(AGENT, 'deploy');
const readToken = token('reader', 'read');
assert.ok(deployToken && readToken, 'tokens printed');

const server = await startServe(bin, ['--repo', `app=${src}`, '--state-dir', state, '-j', '2']);
const { url } = server;

const connect = async (tok) => {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: tok ? { Authorization: `Bearer ${tok}` } : {} },
  });
  const client = new Client({ name: 'gauntlet-http-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
};

try {
  const { client, transport } = await connect(deployToken);
  assert.equal(client.getServerVersion().name, 'gauntlet');
  assert.equal(transport.protocolVersion, LATEST_PROTOCOL_VERSION);
  assert.match(transport.sessionId, /^[0-9a-f]{40}$/);
  const call = (name, args, options) =>
    client.callTool({ name, arguments: args }, undefined, options);

  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [
    'abort', 'deploy', 'deployments', 'diagnose', 'gate', 'insight', 'logs', 'plan', 'promote',
    'release', 'rollback', 'run', 'run_status', 'trust', 'validate']);
  for (const t of tools) assert.equal(t.outputSchema.type, 'object', t.name);

  // Run, then wait with progress: the wait's progress and answer come as an SSE stream.
  let r = await call('run', {});
  assert.equal(r.isError, false, JSON.stringify(r));
  const runId = r.structuredContent.run_id;
  // Subscribed: its updates come on the session's GET stream until it has ended.
  assert.equal(client.getServerCapabilities().resources.subscribe, true);
  const uri = `gauntlet://runs/${runId}`;
  const sub = subscription(client, ResourceUpdatedNotificationSchema);
  await client.subscribeResource({ uri });
  gate.open();
  const seen = [];
  const final = await sub.until(uri, (x) => ['success', 'failed', 'cancelled'].includes(x.status), seen);
  assert.equal(final.status, 'failed', JSON.stringify(seen));
  assert.equal(final.jobs[0].status, 'failed');
  const progress = [];
  r = await call('run_status', { run_id: runId, wait: true },
                 { onprogress: (p) => progress.push(p), timeout: 120000 });
  assert.equal(r.structuredContent.status, 'failed', JSON.stringify(r.structuredContent));
  assert.ok(progress.length >= 1, 'progress notifications over the stream');

  r = await call('diagnose', { run_id: runId });
  const d = r.structuredContent.jobs[0].diagnostics.find((x) => x.message.includes('missing'));
  assert.ok(d, JSON.stringify(r.structuredContent));
  assert.equal(d.file, 'src/app.c');
  assert.equal(d.line, 3);

  // The token's name is the identity: L0, so production is the gateway's to refuse.
  r = await call('deploy', { environment: 'production', version: '1.0.0' });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /needs trust level L3/);
  assert.match(r.content[0].text, /agent@example\.com is L0/);

  // A read token reads, and is refused what its scope does not cover, before the gateway.
  const reader = await connect(readToken);
  r = await reader.client.callTool({ name: 'run_status', arguments: { run_id: runId } });
  assert.equal(r.isError, false, JSON.stringify(r));
  r = await reader.client.callTool({ name: 'deploy', arguments: { environment: 'production', version: '1.0.0' } });
  assert.equal(r.isError, true);
  assert.match(r.content[0].text, /needs a token of scope deploy and token 'reader' has scope read/);
  r = await reader.client.callTool({ name: 'run', arguments: {} });
  assert.match(r.content[0].text, /needs a token of scope trigger/);
  await reader.transport.terminateSession();
  await reader.client.close();

  // The transport's refusals, with raw HTTP.
  const post = (headers, body) => fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
               ...headers },
    body: JSON.stringify(body ?? { jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  const bearer = { Authorization: `Bearer ${deployToken}` };
  let res = await post({});
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate'), /^Bearer/);
  res = await post({ Authorization: 'Bearer gnt_0000' });
  assert.equal(res.status, 401);
  res = await post({ ...bearer, 'Mcp-Session-Id': 'f'.repeat(40) });
  assert.equal(res.status, 404);
  res = await post(bearer);
  assert.equal(res.status, 400, 'a request without a session id');
  res = await post({ ...bearer, 'Mcp-Session-Id': transport.sessionId, 'MCP-Protocol-Version': '1900-01-01' });
  assert.equal(res.status, 400);
  res = await post({ Authorization: `Bearer ${readToken}`, 'Mcp-Session-Id': transport.sessionId });
  assert.equal(res.status, 404, "another token's session is not found");
  res = await post({ ...bearer, Origin: 'http://localhost.evil.example', 'Mcp-Session-Id': transport.sessionId });
  assert.equal(res.status, 403);
  res = await post({ ...bearer, 'Mcp-Session-Id': transport.sessionId });
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).result, {});
  // The client's GET stream is open: a second one for the session is refused.
  res = await fetch(url, { headers: { ...bearer, Accept: 'text/event-stream', 'Mcp-Session-Id': transport.sessionId } });
  assert.equal(res.status, 409);

  // DELETE ends the session: its id is unknown afterwards.
  const ended = transport.sessionId;
  await transport.terminateSession();
  res = await post({ ...bearer, 'Mcp-Session-Id': ended });
  assert.equal(res.status, 404);
  await client.close();

  // The audit rows carry the token's name, in the repository's history on the server.
  const audit = JSON.parse(execFileSync(bin, ['audit', '--json', '--state-dir',
                                              path.join(state, 'repos', 'app')]));
  assert.ok(audit.some((a) => a.identity === AGENT && a.tool === 'deploy' && a.decision === 'denied'));
  assert.ok(audit.some((a) => a.identity === AGENT && a.tool === 'diagnose' && a.outcome === 'ok'));
  const readerDeploy = audit.find((a) => a.identity === 'reader' && a.tool === 'deploy');
  assert.equal(readerDeploy.decision, 'denied');
  assert.match(readerDeploy.detail, /scope deploy/);
  console.log(`ok: ${audit.length} audited calls over HTTP`);
} finally {
  const exit = await server.stop();
  // A clean exit, leaks included: the session's clone of the working copy once leaked
  // libgit2 memory that LeakSanitizer reported only here, at the server's exit.
  assert.deepEqual(exit, { code: 0, signal: null }, 'gauntlet serve exits 0 on SIGTERM');
}
