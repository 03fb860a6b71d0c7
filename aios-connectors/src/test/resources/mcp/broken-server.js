// An MCP server that misbehaves on tools/call, for the MCP client's bad-input tests.
// node broken-server.js dies     -> exits in the middle of the call
// node broken-server.js garbage  -> answers the call with a line that is not JSON-RPC, then nothing
const mode = process.argv[2];
const readline = require('readline');
const lines = readline.createInterface({ input: process.stdin });
const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');
lines.on('line', (line) => {
  const request = JSON.parse(line);
  if (request.method === 'initialize') {
    send({ jsonrpc: '2.0', id: request.id, result: {
      protocolVersion: request.params.protocolVersion,
      capabilities: { tools: {} },
      serverInfo: { name: 'broken', version: '1' } } });
  } else if (request.method === 'tools/list') {
    send({ jsonrpc: '2.0', id: request.id, result: { tools: [
      { name: 'lookup', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }] } });
  } else if (request.method === 'tools/call') {
    if (mode === 'dies') {
      process.exit(3);
    }
    process.stdout.write('%%% this is not JSON-RPC %%%\n');
  }
});
