// cloudfront-js-1.0's byte strings. njs 0.5 told a byte string (bytes 0-255, as digest() returns) from a
// Unicode one by a flag on the string; QuickJS strings carry none, so the byte strings this runtime makes
// are remembered, and hashing reads those as their bytes and every other string as UTF-8. Only strings
// with a character past 0x7f need remembering: below it both readings give the same bytes.

var byteStrings = new Set();

function byteString(string) {
    if (/[\x80-\xff]/.test(string)) byteStrings.add(string);
    return string;
}

function isByteString(string) {
    return !state.runtime2 && byteStrings.has(string);
}

function sliceArgs(string, start, end) {
    return string.slice(start === undefined ? 0 : start, end === undefined ? string.length : end);
}

function installByteStrings() {
    var define = function (target, name, fn) {
        Object.defineProperty(target, name, {value: fn, writable: true, configurable: true});
    };
    define(String, 'bytesFrom', function bytesFrom(value, encoding) {
        if (typeof value === 'string') {
            if (encoding !== 'hex' && encoding !== 'base64' && encoding !== 'base64url') {
                throw new TypeError('Unknown encoding: "' + String(encoding) + '"');
            }
            return byteString(latin1Decode(encodeText(value, encoding)));
        }
        if (value === null || typeof value !== 'object') throw new TypeError('value must be a string or array');
        var bytes = new Uint8Array(value.length >>> 0);
        for (var i = 0; i < bytes.length; i++) bytes[i] = value[i];
        return byteString(latin1Decode(bytes));
    });
    define(String.prototype, 'fromBytes', function fromBytes(start, end) {
        var part = sliceArgs(String(this), start, end);
        return /[^\x00-\xff]/.test(part) ? null : part;
    });
    define(String.prototype, 'fromUTF8', function fromUTF8(start, end) {
        var part = sliceArgs(String(this), start, end);
        return /[^\x00-\xff]/.test(part) ? null : utf8Decode(latin1Encode(part), true);
    });
    define(String.prototype, 'toBytes', function toBytes(start, end) {
        var part = sliceArgs(String(this), start, end);
        return /[^\x00-\xff]/.test(part) ? null : byteString(part);
    });
    define(String.prototype, 'toUTF8', function toUTF8(start, end) {
        return byteString(latin1Decode(utf8Encode(sliceArgs(String(this), start, end))));
    });
}
