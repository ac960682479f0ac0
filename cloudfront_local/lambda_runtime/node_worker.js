// One Lambda function version's Node.js runtime, as Lambda's bootstrap runs it: the handler module loaded
// once (the init phase), then one invocation at a time. Invocations come on stdin and answers go on a pipe
// of their own (its fd in _CFL_PROTOCOL_FD), each a JSON document behind its length in four bytes, so that
// whatever the handler writes to stdout or stderr is only ever log output.
'use strict';
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const OUT = Number(process.env._CFL_PROTOCOL_FD);
const ROOT = process.env.LAMBDA_TASK_ROOT;
const HANDLER = process.env._HANDLER;
delete process.env._CFL_PROTOCOL_FD;

function writeAll(buffer) {
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(OUT, buffer, offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

function send(message) {
  let text;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    text = JSON.stringify({ id: message.id, error: describe(error, 'Runtime.MalformedResult') });
  }
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  writeAll(Buffer.concat([head, body]));
}

function describe(error, type) {
  if (error instanceof Error) {
    return { errorType: type || error.name || 'Error', errorMessage: String(error.message),
             stack: String(error.stack || '').split('\n').slice(0, 20) };
  }
  let text;
  try { text = typeof error === 'string' ? error : JSON.stringify(error); } catch (_) { text = String(error); }
  return { errorType: type || 'Error', errorMessage: String(text) };
}

function isModuleDir(directory) {
  // The nearest package.json up to the task root decides what a .js file is, as Node decides it.
  for (let dir = directory; dir.startsWith(ROOT); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try { return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module'; } catch (_) { return false; }
    }
    if (dir === path.dirname(dir)) break;
  }
  return false;
}

async function load() {
  const slash = HANDLER.lastIndexOf('/');
  const rest = HANDLER.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${HANDLER}`), { lambdaType: 'Runtime.MalformedHandlerName' });
  const stem = path.resolve(ROOT, HANDLER.slice(0, slash + 1) + rest.slice(0, dot));
  const names = rest.slice(dot + 1).split('.');
  const file = ['.js', '.mjs', '.cjs'].map((ext) => stem + ext).find((f) => fs.existsSync(f));
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${path.relative(ROOT, stem)}'`),
                        { lambdaType: 'Runtime.ImportModuleError' });
  }
  let loaded;
  const esm = file.endsWith('.mjs') || (file.endsWith('.js') && isModuleDir(path.dirname(file)));
  if (esm) {
    loaded = await import(pathToFileURL(file).href);
  } else {
    try {
      loaded = require(file);
    } catch (error) {
      if (error.code !== 'ERR_REQUIRE_ESM') throw error;
      loaded = await import(pathToFileURL(file).href);
    }
  }
  const find = (from) => names.reduce((value, name) => (value == null ? undefined : value[name]), from);
  let handler = find(loaded);
  if (handler === undefined && loaded && loaded.default) handler = find(loaded.default);
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${path.basename(stem)}.${names.join('.')} is undefined or not exported`),
                        { lambdaType: 'Runtime.HandlerNotFound' });
  }
  return handler;
}

let current = null;  // the invocation under way: its id and how to end it

function invoke(handler, message) {
  const { id, event } = message;
  const given = message.context || {};
  const deadline = Date.now() + (given.remainingMs || 0);
  let done = false;
  const finish = (error, result, fatal) => {
    if (done) return;
    done = true;
    current = null;
    if (error !== null && error !== undefined) send({ id, fatal: Boolean(fatal), error: describe(error) });
    else send({ id, result: result === undefined ? null : result });
  };
  current = { id, finish };
  process.stdout.write(`\u0000cloudfront-local-invocation:${id}\n`);
  const context = {
    functionName: given.functionName, functionVersion: given.functionVersion,
    invokedFunctionArn: given.invokedFunctionArn, memoryLimitInMB: String(given.memoryLimitInMB),
    awsRequestId: given.awsRequestId, logGroupName: given.logGroupName, logStreamName: given.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    succeed: (result) => finish(null, result), fail: (error) => finish(error || 'handled', undefined),
    done: (error, result) => finish(error, result),
  };
  try {
    const returned = handler(event, context, (error, result) => finish(error, result));
    if (returned && typeof returned.then === 'function') {
      returned.then((value) => finish(null, value), (error) => finish(error === undefined ? new Error('undefined') : error));
    } else if (handler.length < 3) {
      // A plain function that neither returns a promise nor takes the callback: Lambda ends the invocation
      // with a null result once the event loop drains; the turn after this one is as near as we get.
      setImmediate(() => finish(null, null));
    }
  } catch (error) {
    finish(error);
  }
}

function fatal(error) {
  // Lambda ends the invocation with the error and starts a fresh runtime: the server restarts the worker.
  if (current) current.finish(error, undefined, true);
  else send({ id: null, fatal: true, error: describe(error) });
  process.exit(129);
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

async function main() {
  let handler;
  try {
    handler = await load();
  } catch (error) {
    send({ op: 'ready', error: describe(error, error && error.lambdaType) });
    process.exit(1);
  }
  send({ op: 'ready' });
  let pending = Buffer.alloc(0);
  process.stdin.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const size = pending.readUInt32BE(0);
      if (pending.length < 4 + size) break;
      const message = JSON.parse(pending.subarray(4, 4 + size).toString('utf8'));
      pending = pending.subarray(4 + size);
      invoke(handler, message);
    }
  });
  process.stdin.on('end', () => process.exit(0));  // the server is gone
}
main();
