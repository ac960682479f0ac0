// The `querystring` module with Node's semantics, which njs follows: '+' is a space when parsing,
// malformed UTF-8 in a percent-encoding decodes to U+FFFD, repeated keys collect into arrays.

function qsEscape(string) {
    return encodeURIComponent(String(string));
}

function qsUnescape(string) {
    string = String(string);
    try {
        return decodeURIComponent(string);
    } catch (e) {
        // Percent-escapes that are not valid UTF-8: decode byte by byte, leaving bad escapes as they are.
        var bytes = [];
        for (var i = 0; i < string.length; i++) {
            var c = string.charCodeAt(i);
            var hex = c === 37 && i + 2 < string.length ? string.substr(i + 1, 2) : '';
            if (c === 37 && /^[0-9a-fA-F]{2}$/.test(hex)) {
                bytes.push(parseInt(hex, 16));
                i += 2;
            } else {
                var encoded = utf8Encode(string[i]);
                for (var j = 0; j < encoded.length; j++) bytes.push(encoded[j]);
            }
        }
        return utf8Decode(new Uint8Array(bytes), false);
    }
}

function qsParse(string, separator, equal, options) {
    var result = {};
    if (typeof string !== 'string' || string.length === 0) return result;
    separator = separator ? String(separator) : '&';
    equal = equal ? String(equal) : '=';
    var decode = qsUnescape, maxKeys = 1000;
    if (options && typeof options === 'object') {
        if (options.decodeURIComponent !== undefined) {
            if (typeof options.decodeURIComponent !== 'function') {
                throw new TypeError('option decodeURIComponent is not a function');
            }
            decode = options.decodeURIComponent;
        }
        if (typeof options.maxKeys === 'number') maxKeys = options.maxKeys;
    }
    var pairs = string.split(separator);
    if (maxKeys > 0 && pairs.length > maxKeys) pairs = pairs.slice(0, maxKeys);
    for (var i = 0; i < pairs.length; i++) {
        if (pairs[i].length === 0) continue;
        var at = pairs[i].indexOf(equal), key, value;
        if (at >= 0) { key = pairs[i].slice(0, at); value = pairs[i].slice(at + equal.length); }
        else { key = pairs[i]; value = ''; }
        key = decode(key.replace(/\+/g, ' '));
        value = decode(value.replace(/\+/g, ' '));
        if (!Object.prototype.hasOwnProperty.call(result, key)) result[key] = value;
        else if (Array.isArray(result[key])) result[key].push(value);
        else result[key] = [result[key], value];
    }
    return result;
}

function qsPrimitive(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && isFinite(value)) return '' + value;
    if (typeof value === 'boolean' || typeof value === 'bigint') return '' + value;
    return '';
}

function qsStringify(object, separator, equal, options) {
    separator = separator ? String(separator) : '&';
    equal = equal ? String(equal) : '=';
    var encode = qsEscape;
    if (options && typeof options === 'object' && options.encodeURIComponent !== undefined) {
        if (typeof options.encodeURIComponent !== 'function') {
            throw new TypeError('option encodeURIComponent is not a function');
        }
        encode = options.encodeURIComponent;
    }
    if (object === null || typeof object !== 'object') return '';
    var parts = [], keys = Object.keys(object);
    for (var i = 0; i < keys.length; i++) {
        var value = object[keys[i]], key = encode(qsPrimitive(keys[i])) + equal;
        if (Array.isArray(value)) {
            for (var j = 0; j < value.length; j++) parts.push(key + encode(qsPrimitive(value[j])));
        } else {
            parts.push(key + encode(qsPrimitive(value)));
        }
    }
    return parts.join(separator);
}

var querystringModule = {
    escape: qsEscape, unescape: qsUnescape, parse: qsParse, decode: qsParse,
    stringify: qsStringify, encode: qsStringify
};

MODULES.querystring = querystringModule;
