// The runtime's core, run in a fresh QuickJS context before the function's code: it shapes the globals
// as CloudFront's engine has them and returns `host`, the only door between the engine (Python) and the
// context. `host` is never stored where the function's code could reach it, and the context holds no
// callable into Python at all: KeyValueStore reads travel as pending promises the engine settles between
// two turns of the job queue.

var state = {runtime2: false, kind: 'viewer', event: null, now: 0, logs: [], logBytes: 0, logLimit: 10240,
             settled: false, value: undefined, failure: null, origin: [], custom: null, action: 'deny',
             kvs: false, kvsPending: [], kvsWaiting: {}, kvsCount: 0, kvsLimit: 0, rawQuery: undefined,
             edge: {}, original: {}};
// Taken now, so that a function replacing JSON or Object cannot change what the host reads back.
var jsonStringify = JSON.stringify, jsonParse = JSON.parse, objectKeys = Object.keys, isArray = Array.isArray;
var BuiltinError = Error, BuiltinPromise = Promise, hasOwn = Object.prototype.hasOwnProperty;
// The built-in modules loaded into this context, by name: each module's file adds itself. A context gets
// the modules its function's code names (the engine reads the code first), not the ones it cannot reach.
var MODULES = {};
var OUT_OF_MEMORY = 'InternalError: out of memory';
var MODULE_RUNTIMES = {crypto: 1, querystring: 1, buffer: 2, cloudfront: 2};

function defineHidden(target, name, value) {
    Object.defineProperty(target, name, {value: value, writable: true, configurable: true, enumerable: false});
}

function describeError(error) {
    // Out of memory there may be no room left to build a message (this one exists already), nor even an
    // error: QuickJS then throws null. A function throwing null itself is taken for the same.
    if (error === null || (error instanceof InternalError && error.message === 'out of memory')) return OUT_OF_MEMORY;
    try {
        if (error instanceof BuiltinError) {
            var name = String(error.name), message = String(error.message);
            return message ? name + ': ' + message : name;
        }
        return String(error);
    } catch (e) {
        return 'Error: the thrown value could not be converted to a string';
    }
}

function utf8Size(string) {
    return utf8Length(string);
}

function inspect(value, depth, seen) {
    if (typeof value === 'string') return depth === 0 ? value : "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
    if (typeof value === 'function') return '[Function' + (value.name ? ': ' + value.name : '') + ']';
    if (value === null || typeof value !== 'object') return String(value);
    if (value instanceof BuiltinError) return describeError(value);
    if (seen.indexOf(value) >= 0) return '[Circular]';
    if (depth > 4) return isArray(value) ? '[Array]' : '[Object]';
    seen.push(value);
    var parts = [];
    if (isArray(value)) {
        for (var i = 0; i < value.length && i < 100; i++) parts.push(inspect(value[i], depth + 1, seen));
        seen.pop();
        return '[' + parts.join(',') + ']';
    }
    var keys = objectKeys(value);
    for (var k = 0; k < keys.length && k < 100; k++) parts.push(keys[k] + ':' + inspect(value[keys[k]], depth + 1, seen));
    seen.pop();
    return '{' + parts.join(',') + '}';
}

// CloudFront keeps the first argument only ("comma syntax" is not supported) and truncates logs at 10 KB.
function log(message) {
    if (state.logBytes >= state.logLimit) return;
    var line = inspect(message, 0, []), size = utf8Size(line);
    if (state.logBytes + size > state.logLimit) {
        line = utf8Decode(utf8Encode(line).subarray(0, state.logLimit - state.logBytes), false).replace(/\ufffd$/, '');
        size = state.logLimit - state.logBytes;
    }
    state.logs.push(line);
    state.logBytes += size;
}

function requireModule(name) {
    var since = hasOwn.call(MODULE_RUNTIMES, name) ? MODULE_RUNTIMES[name] : 3;
    if (since > (state.runtime2 ? 2 : 1) || !hasOwn.call(MODULES, name)) {
        throw new BuiltinError('Cannot find module "' + name + '"');
    }
    return MODULES[name];
}

// The clock stands still at the run's start: CloudFront allows no measuring of elapsed time.
function fixDate(now) {
    var RealDate = Date;
    function FixedDate() {
        if (!new.target) return new RealDate(now).toString();
        var args = arguments.length ? Array.prototype.slice.call(arguments) : [now];
        return Reflect.construct(RealDate, args, new.target);
    }
    FixedDate.prototype = RealDate.prototype;
    FixedDate.UTC = RealDate.UTC;
    FixedDate.parse = RealDate.parse;
    FixedDate.now = function now_() { return now; };
    defineHidden(RealDate.prototype, 'constructor', FixedDate);
    defineHidden(globalThis, 'Date', FixedDate);
}

// No dynamic code: njs answers eval with "Not implemented" and, in its safe mode, the Function
// constructor with a TypeError; the constructors of async and generator functions go the same way.
function forbidDynamicCode() {
    defineHidden(globalThis, 'eval', function () { throw new InternalError('Not implemented'); });
    var RealFunction = Function;
    function SafeFunction() { throw new TypeError('function constructor is disabled in "safe" mode'); }
    SafeFunction.prototype = RealFunction.prototype;
    defineHidden(globalThis, 'Function', SafeFunction);
    [function () {}, async function () {}, function* () {}, async function* () {}].forEach(function (sample) {
        defineHidden(Object.getPrototypeOf(sample), 'constructor', SafeFunction);
    });
}

function removeGlobals(names) {
    names.forEach(function (name) { delete globalThis[name]; });
}

// The event as the handler sees it: the object TestFunction was given, with the parts CloudFront always
// fills in present even when the test event left them out.
function prepareEvent(event) {
    if (state.kind === 'connection') {
        defineHidden(event, 'allow', function allow() { state.action = 'allow'; });
        defineHidden(event, 'deny', function deny() { state.action = 'deny'; });
        defineHidden(event, 'logCustomData', logCustomData);
        return event;
    }
    var request = event.request;
    if (request !== null && typeof request === 'object') {
        ['querystring', 'headers', 'cookies'].forEach(function (part) {
            if (request[part] === undefined || request[part] === null) request[part] = {};
        });
        defineHidden(request, 'rawQueryString', function rawQueryString() { return state.rawQuery; });
    }
    var response = event.response;
    if (response !== null && typeof response === 'object') {
        ['headers', 'cookies'].forEach(function (part) {
            if (response[part] === undefined || response[part] === null) response[part] = {};
        });
    }
    return event;
}

// Without the raw query string (TestFunction has none), the parsed one written back out.
function rebuildQuery(query) {
    if (query === null || typeof query !== 'object' || objectKeys(query).length === 0) return undefined;
    var parts = [];
    objectKeys(query).forEach(function (name) {
        var entry = query[name], values = entry && isArray(entry.multiValue) ? entry.multiValue : [entry];
        values.forEach(function (item) {
            var value = item && item.value !== undefined ? String(item.value) : '';
            parts.push(name + (value === '' ? '' : '=' + value));
        });
    });
    return parts.join('&');
}

function settle(value) {
    state.settled = true;
    state.value = value;
}

function fail(error) {
    state.settled = true;
    state.failure = describeError(error);
}

function start() {
    var entry = state.kind === 'connection' ? connectionHandler : handler;
    var result = entry(state.event);
    if (result !== null && (typeof result === 'object' || typeof result === 'function') &&
            typeof result.then === 'function') {
        BuiltinPromise.resolve(result).then(settle, fail);
    } else {
        settle(result);
    }
}

function invalid(detail) {
    return new TypeError('Invalid return value: ' + detail);
}

// `before` is the same map as the event had it (or undefined): the event-structure page's rule for a
// repeated name is that a changed multiValue wins, and otherwise a changed value replaces the first of the
// values, the others kept.
function entries(map, what, withAttributes, before) {
    if (map === undefined || map === null) return {};
    if (typeof map !== 'object') throw invalid(what + ' must be an object');
    var out = {}, keys = objectKeys(map);
    for (var i = 0; i < keys.length; i++) {
        var entry = map[keys[i]], item = {}, where = what + '["' + keys[i] + '"]';
        if (entry === null || typeof entry !== 'object') throw invalid(where + ' must be an object with a value');
        if (withAttributes && entry.attributes !== undefined) item.attributes = String(entry.attributes);
        if (entry.value !== undefined) item.value = String(entry.value);
        if (isArray(entry.multiValue)) {
            item.multiValue = entry.multiValue.map(function (one) {
                if (one === null || typeof one !== 'object' || one.value === undefined) {
                    throw invalid(where + '.multiValue must hold objects with a value');
                }
                var copy = {};
                if (withAttributes && one.attributes !== undefined) copy.attributes = String(one.attributes);
                copy.value = String(one.value);
                return copy;
            });
            if (item.value === undefined && item.multiValue.length) item.value = item.multiValue[0].value;
            var old = before !== null && typeof before === 'object' && hasOwn.call(before, keys[i])
                ? before[keys[i]] : null;
            if (item.multiValue.length && sameValues(old, item.multiValue) && item.value !== String(old.value)) {
                item.multiValue[0] = withAttributes && item.attributes !== undefined
                    ? {attributes: item.attributes, value: item.value} : {value: item.value};
            }
        }
        if (item.value === undefined) throw invalid(where + ' has no value');
        out[keys[i]] = item;
    }
    return out;
}

function sameValues(old, multiValue) {
    if (old === null || typeof old !== 'object' || !isArray(old.multiValue)) return false;
    if (old.multiValue.length !== multiValue.length) return false;
    for (var i = 0; i < multiValue.length; i++) {
        var one = old.multiValue[i];
        if (one === null || typeof one !== 'object' || String(one.value) !== multiValue[i].value) return false;
    }
    return true;
}

function part(object, name) {
    return object !== null && typeof object === 'object' ? object[name] : undefined;
}

function viewerResult(value) {
    if (value === null || typeof value !== 'object') {
        throw invalid('the function must return a request or response object, not ' +
                      (value === null ? 'null' : typeof value));
    }
    var eventType = state.event.context && state.event.context.eventType;
    if (eventType === 'viewer-response' || value.statusCode !== undefined) {
        var code = value.statusCode;
        if (typeof code !== 'number' || code !== Math.floor(code)) throw invalid('statusCode must be an integer');
        var seen = part(state.original, 'response');
        var response = {statusCode: code, headers: entries(value.headers, 'headers', false, part(seen, 'headers')),
                        cookies: entries(value.cookies, 'cookies', true, part(seen, 'cookies'))};
        if (value.statusDescription !== undefined) response.statusDescription = String(value.statusDescription);
        if (typeof value.body === 'string') response.body = value.body;
        else if (value.body !== null && typeof value.body === 'object') {
            response.body = {data: String(value.body.data === undefined ? '' : value.body.data),
                             encoding: String(value.body.encoding === undefined ? 'text' : value.body.encoding)};
        }
        return {response: response};
    }
    if (typeof value.uri !== 'string') throw invalid('uri must be a string');
    var original = part(state.original, 'request') || {};
    // AWS's own "Normalize query string parameters" example returns the query string as one string, and
    // CloudFront takes it: it goes on as written.
    var query = typeof value.querystring === 'string' ? value.querystring
        : entries(value.querystring, 'querystring', false, part(original, 'querystring'));
    // The method is the request's only read-only field: what the viewer sent is what goes on.
    return {request: {headers: entries(value.headers, 'headers', false, part(original, 'headers')),
                      method: String(original.method === undefined ? value.method : original.method),
                      querystring: query,
                      uri: value.uri, cookies: entries(value.cookies, 'cookies', false, part(original, 'cookies'))}};
}

function finish() {
    var answer = {origin: state.origin, custom: state.custom};
    if (state.failure !== null) {
        answer.error = state.failure;
    } else if (!state.settled) {
        answer.error = 'Error: the function did not finish: it awaits a promise nothing can settle';
    } else if (state.kind === 'connection') {
        answer.output = {action: state.action};
    } else {
        try {
            answer.output = viewerResult(state.value);
        } catch (e) {
            answer.error = describeError(e);
        }
    }
    return jsonStringify(answer);
}

// The engine's calls, by name. Each returns a string (JSON where structured) or nothing.
function host(command, argument) {
    switch (command) {
        case 'shape':  // what depends on the runtime only: done while the context waits for a job
            state.runtime2 = argument === 'cloudfront-js-2.0';
            forbidDynamicCode();
            removeGlobals(['__date_clock', 'Atomics', 'SharedArrayBuffer']);
            defineHidden(globalThis, 'console', {log: log});
            defineHidden(globalThis, 'require', requireModule);
            Object.defineProperty(globalThis, '__cloudfront_import__', {value: requireModule});
            if (state.runtime2) {
                if (MODULES.buffer) {
                    defineHidden(globalThis, 'Buffer', Buffer);
                    defineHidden(globalThis, 'TextEncoder', TextEncoder);
                    defineHidden(globalThis, 'TextDecoder', TextDecoder);
                    defineHidden(globalThis, 'atob', atob);
                    defineHidden(globalThis, 'btoa', btoa);
                }
            } else {
                installByteStrings();
            }
            return;
        case 'init':
            var config = jsonParse(argument);
            state.kind = config.kind;
            state.now = config.now;
            state.kvs = config.kvs;
            state.kvsLimit = config.kvsLimit;
            state.logLimit = config.logLimit;
            state.edge = config.edge || {};
            fixDate(config.now);
            // A copy the function cannot reach, to tell what it changed from what it was given.
            state.original = jsonParse(config.event);
            state.event = prepareEvent(jsonParse(config.event));
            var request = state.event.request;
            state.rawQuery = typeof config.rawQuery === 'string' ? config.rawQuery
                : request && typeof request === 'object' ? rebuildQuery(request.querystring) : undefined;
            return;
        case 'start':
            try {
                start();
            } catch (e) {
                fail(e);
            }
            return;
        case 'poll':
            var pending = state.kvsPending;
            state.kvsPending = [];
            return jsonStringify({settled: state.settled, kvs: pending});
        case 'answer':
            answerKvs(jsonParse(argument));
            return;
        case 'finish':
            return finish();
        case 'logs':
            return jsonStringify(state.logs);
    }
}
