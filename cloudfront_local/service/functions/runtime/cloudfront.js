// cloudfront-js-2.0's `cloudfront` module: the associated KeyValueStore (get, exists, meta, each a
// promise), the origin helpers (recorded for the engine: TestFunction itself does not act on them),
// edgeLocation and logCustomData.

var CUSTOM_DATA_LIMIT = 800;  // bytes CloudFront keeps of logCustomData's value

function kvsRequest(method, key) {
    if (state.kvsCount >= state.kvsLimit) {
        return BuiltinPromise.reject(new BuiltinError('Too many KeyValueStore reads in one run'));
    }
    state.kvsCount++;
    return new BuiltinPromise(function (resolve, reject) {
        var id = state.kvsCount;
        state.kvsWaiting[id] = {resolve: resolve, reject: reject};
        state.kvsPending.push({id: id, method: method, key: key});
    });
}

function answerKvs(answer) {
    var waiting = state.kvsWaiting[answer.id];
    if (!waiting) return;
    delete state.kvsWaiting[answer.id];
    if (answer.error) waiting.reject(new BuiltinError(answer.error));
    else waiting.resolve(answer);
}

function checkKey(key) {
    if (typeof key !== 'string') throw new TypeError('key must be a string');
    if (key.length === 0 || utf8Length(key) > 512) throw new TypeError('key must be 1 to 512 bytes long');
    return key;
}

var kvsHandle = {
    get: function get(key, options) {
        var format = options && options.format !== undefined ? options.format : 'string';
        try {
            checkKey(key);
            if (format !== 'string' && format !== 'json' && format !== 'bytes') {
                throw new TypeError('format must be "string", "json" or "bytes"');
            }
        } catch (e) {
            return BuiltinPromise.reject(e);
        }
        return kvsRequest('get', key).then(function (answer) {
            if (!answer.found) throw new BuiltinError('Key ' + key + ' not found');
            if (format === 'json') return jsonParse(answer.value);
            if (format === 'bytes') return toBuffer(utf8Encode(answer.value));
            return answer.value;
        });
    },
    exists: function exists(key) {
        try {
            checkKey(key);
        } catch (e) {
            return BuiltinPromise.reject(e);
        }
        return kvsRequest('exists', key).then(function (answer) { return !!answer.found; });
    },
    meta: function meta() {
        return kvsRequest('meta', '').then(function (answer) { return answer.meta; });
    }
};

function originCall(method) {
    return function () {
        if (state.kind !== 'viewer') throw new TypeError(method + ' is not available in a connection function');
        state.origin.push({method: method, args: plainCopy(Array.prototype.slice.call(arguments), 0)});
    };
}

// The helpers' arguments as plain data, as JSON would have them, no deeper than origin settings go.
function plainCopy(value, depth) {
    if (depth > 8) throw new TypeError('origin settings are nested too deeply');
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') return isFinite(value) ? value : null;
    if (typeof value !== 'object') return null;
    if (isArray(value)) return value.map(function (item) { return plainCopy(item, depth + 1); });
    var copy = {};
    objectKeys(value).forEach(function (key) {
        if (value[key] !== undefined && typeof value[key] !== 'function') copy[key] = plainCopy(value[key], depth + 1);
    });
    return copy;
}

function logCustomData(data) {
    var text = String(data), bytes = utf8Encode(text);
    state.custom = bytes.length > CUSTOM_DATA_LIMIT ? utf8Decode(bytes.subarray(0, CUSTOM_DATA_LIMIT), false) : text;
}

var cloudfrontModule = {
    kvs: function kvs(id) {
        if (!state.kvs) throw new BuiltinError('No KeyValueStore is associated with this function');
        return kvsHandle;
    },
    updateRequestOrigin: originCall('updateRequestOrigin'),
    selectRequestOriginById: originCall('selectRequestOriginById'),
    createRequestOriginGroup: originCall('createRequestOriginGroup'),
    logCustomData: logCustomData
};
Object.defineProperty(cloudfrontModule, 'edgeLocation', {enumerable: true, get: function () { return state.edge; }});

MODULES.cloudfront = cloudfrontModule;
