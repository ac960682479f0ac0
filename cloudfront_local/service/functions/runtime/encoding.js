// Bytes and their text forms (UTF-8, hex, base64, base64url, latin1), shared by crypto, Buffer,
// querystring and 1.0's byte strings. Every preluded file runs in one closure, built before user code.

function utf8Encode(string) {
    string = String(string);
    var out = new Uint8Array(utf8Length(string)), at = 0;
    for (var i = 0; i < string.length; i++) {
        var code = string.charCodeAt(i);
        if (code >= 0xd800 && code <= 0xdbff && i + 1 < string.length) {
            var low = string.charCodeAt(i + 1);
            if (low >= 0xdc00 && low <= 0xdfff) {
                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                i++;
            }
        }
        if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;  // a lone surrogate, as WHATWG encoders do
        if (code < 0x80) {
            out[at++] = code;
        } else if (code < 0x800) {
            out[at++] = 0xc0 | (code >> 6); out[at++] = 0x80 | (code & 63);
        } else if (code < 0x10000) {
            out[at++] = 0xe0 | (code >> 12); out[at++] = 0x80 | ((code >> 6) & 63); out[at++] = 0x80 | (code & 63);
        } else {
            out[at++] = 0xf0 | (code >> 18); out[at++] = 0x80 | ((code >> 12) & 63);
            out[at++] = 0x80 | ((code >> 6) & 63); out[at++] = 0x80 | (code & 63);
        }
    }
    return out;
}

function utf8Length(string) {
    var length = 0;
    for (var i = 0; i < string.length; i++) {
        var code = string.charCodeAt(i);
        if (code < 0x80) length += 1;
        else if (code < 0x800) length += 2;
        else if (code >= 0xd800 && code <= 0xdbff && i + 1 < string.length &&
                 string.charCodeAt(i + 1) >= 0xdc00 && string.charCodeAt(i + 1) <= 0xdfff) { length += 4; i++; }
        else length += 3;
    }
    return length;
}

// Decodes UTF-8; `fatal` returns null on a malformed sequence, otherwise each becomes U+FFFD.
function utf8Decode(bytes, fatal) {
    var parts = [], chunk = [], i = 0, n = bytes.length;
    while (i < n) {
        var b = bytes[i], code = -1, need = 0, min = 0;
        if (b < 0x80) { code = b; }
        else if (b >= 0xc2 && b <= 0xdf) { code = b & 31; need = 1; min = 0x80; }
        else if (b >= 0xe0 && b <= 0xef) { code = b & 15; need = 2; min = 0x800; }
        else if (b >= 0xf0 && b <= 0xf4) { code = b & 7; need = 3; min = 0x10000; }
        var j = 1;
        for (; j <= need; j++) {
            var c = bytes[i + j];
            if (i + j >= n || (c & 0xc0) !== 0x80) break;
            code = (code << 6) | (c & 63);
        }
        if (code < 0 || j <= need || code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
            if (fatal) return null;
            chunk.push(0xfffd);
            i += (code >= 0 && j <= need) ? j : 1;  // the lead byte and the continuations before the bad one
        } else {
            if (code >= 0x10000) {
                code -= 0x10000;
                chunk.push(0xd800 + (code >> 10), 0xdc00 + (code & 1023));
            } else {
                chunk.push(code);
            }
            i += need + 1;
        }
        if (chunk.length >= 4096) { parts.push(String.fromCharCode.apply(null, chunk)); chunk = []; }
    }
    parts.push(String.fromCharCode.apply(null, chunk));
    return parts.join('');
}

function latin1Encode(string) {
    string = String(string);
    var out = new Uint8Array(string.length);
    for (var i = 0; i < string.length; i++) out[i] = string.charCodeAt(i) & 255;
    return out;
}

function latin1Decode(bytes) {
    var parts = [];
    for (var i = 0; i < bytes.length; i += 4096) {
        parts.push(String.fromCharCode.apply(null, bytes.subarray(i, Math.min(bytes.length, i + 4096))));
    }
    return parts.join('');
}

var HEX = '0123456789abcdef';

function hexEncode(bytes) {
    var out = [];
    for (var i = 0; i < bytes.length; i++) out.push(HEX[bytes[i] >> 4] + HEX[bytes[i] & 15]);
    return out.join('');
}

// Node's rule: decode pairs of hex digits up to the first pair that is not one.
function hexDecode(string) {
    string = String(string);
    var out = new Uint8Array(string.length >> 1), n = 0;
    for (var i = 0; i + 1 < string.length; i += 2) {
        var hi = parseInt(string[i], 16), lo = parseInt(string[i + 1], 16);
        if (hi !== hi || lo !== lo) break;
        out[n++] = hi * 16 + lo;
    }
    return out.subarray(0, n);
}

var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
var B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64Encode(bytes, url) {
    var table = url ? B64URL : B64, out = [], i = 0;
    for (; i + 2 < bytes.length; i += 3) {
        var v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        out.push(table[v >> 18] + table[(v >> 12) & 63] + table[(v >> 6) & 63] + table[v & 63]);
    }
    if (i < bytes.length) {
        var rest = bytes.length - i, w = (bytes[i] << 16) | (rest > 1 ? bytes[i + 1] << 8 : 0);
        var tail = table[w >> 18] + table[(w >> 12) & 63] + (rest > 1 ? table[(w >> 6) & 63] : '');
        out.push(url ? tail : tail + (rest > 1 ? '=' : '=='));
    }
    return out.join('');
}

// Lenient as Node is: either alphabet, padding optional, other characters skipped.
function base64Decode(string) {
    string = String(string);
    var out = new Uint8Array((string.length * 3 >> 2) + 3), n = 0, bits = 0, count = 0;
    for (var i = 0; i < string.length; i++) {
        var c = string.charCodeAt(i), v;
        if (c >= 65 && c <= 90) v = c - 65;
        else if (c >= 97 && c <= 122) v = c - 71;
        else if (c >= 48 && c <= 57) v = c + 4;
        else if (c === 43 || c === 45) v = 62;
        else if (c === 47 || c === 95) v = 63;
        else if (c === 61) break;
        else continue;
        bits = (bits << 6) | v;
        count += 6;
        if (count >= 8) { count -= 8; out[n++] = (bits >> count) & 255; }
    }
    return out.subarray(0, n);
}

var ENCODINGS = ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary'];

function normalEncoding(encoding) {
    if (encoding === undefined || encoding === null) return 'utf8';
    var name = String(encoding).toLowerCase();
    if (name === 'utf-8') return 'utf8';
    if (name === 'binary') return 'latin1';
    return ENCODINGS.indexOf(name) >= 0 ? name : null;
}

function encodeText(string, encoding) {
    switch (encoding) {
        case 'hex': return hexDecode(string);
        case 'base64': case 'base64url': return base64Decode(string);
        case 'latin1': return latin1Encode(string);
        default: return utf8Encode(string);
    }
}

function decodeText(bytes, encoding) {
    switch (encoding) {
        case 'hex': return hexEncode(bytes);
        case 'base64': return base64Encode(bytes, false);
        case 'base64url': return base64Encode(bytes, true);
        case 'latin1': return latin1Decode(bytes);
        default: return utf8Decode(bytes, false);
    }
}
