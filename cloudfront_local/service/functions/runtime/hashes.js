// The `crypto` module: createHash and createHmac over md5, sha1 and sha256, as njs offers them. Hashing
// runs here in JavaScript, under the run's CPU and memory limits, rather than in the host.

var MD5_K = null, MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

function md5(bytes) {
    if (MD5_K === null) {
        MD5_K = new Int32Array(64);
        for (var k = 0; k < 64; k++) MD5_K[k] = Math.floor(Math.abs(Math.sin(k + 1)) * 4294967296) | 0;
    }
    var K = MD5_K, S = MD5_S, words = padded(bytes, true), a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
    for (var o = 0; o < words.length; o += 16) {
        var a = a0, b = b0, c = c0, d = d0;
        for (var i = 0; i < 64; i++) {
            var f, g, round = i >> 4;
            if (round === 0) { f = (b & c) | (~b & d); g = i; }
            else if (round === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
            else if (round === 2) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
            else { f = c ^ (b | ~d); g = (7 * i) & 15; }
            var t = d; d = c; c = b;
            var sum = (a + f + K[i] + words[o + g]) | 0, s = S[round * 4 + (i & 3)];
            b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
            a = t;
        }
        a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
    }
    return wordBytes([a0, b0, c0, d0], true);
}

function sha1(bytes) {
    var words = padded(bytes, false), h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0];
    var w = new Int32Array(80);
    for (var o = 0; o < words.length; o += 16) {
        for (var i = 0; i < 80; i++) {
            if (i < 16) { w[i] = words[o + i]; continue; }
            var v = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
            w[i] = (v << 1) | (v >>> 31);
        }
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (i = 0; i < 80; i++) {
            var f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc | 0; }
            else { f = b ^ c ^ d; k = 0xca62c1d6 | 0; }
            var t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
            e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
        }
        h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0; h[4] = (h[4] + e) | 0;
    }
    return wordBytes(h, false);
}

var SHA256_K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];

function sha256(bytes) {
    var words = padded(bytes, false), w = new Int32Array(64);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    for (var o = 0; o < words.length; o += 16) {
        for (var i = 0; i < 64; i++) {
            if (i < 16) { w[i] = words[o + i]; continue; }
            // Rotations written out: a call per rotation costs QuickJS's interpreter more than the hash.
            var x = w[i - 15], y = w[i - 2];
            var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
            var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
            w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
        }
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (i = 0; i < 64; i++) {
            var t1 = (hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
                      ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i]) | 0;
            var t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
                      ((a & b) ^ (a & c) ^ (b & c))) | 0;
            hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
        }
        h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
        h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    return wordBytes(h, false);
}

// The message as 32-bit words, padded to whole 64-byte blocks with its bit length at the end.
function padded(bytes, littleEndian) {
    var length = bytes.length, blocks = ((length + 8) >> 6) + 1, words = new Int32Array(blocks * 16);
    for (var i = 0; i < length; i++) {
        var shift = littleEndian ? (i & 3) * 8 : 24 - (i & 3) * 8;
        words[i >> 2] |= bytes[i] << shift;
    }
    words[length >> 2] |= 0x80 << (littleEndian ? (length & 3) * 8 : 24 - (length & 3) * 8);
    var bitsLow = (length * 8) | 0, bitsHigh = Math.floor(length / 0x20000000);
    if (littleEndian) { words[blocks * 16 - 2] = bitsLow; words[blocks * 16 - 1] = bitsHigh; }
    else { words[blocks * 16 - 1] = bitsLow; words[blocks * 16 - 2] = bitsHigh; }
    return words;
}

function wordBytes(words, littleEndian) {
    var out = new Uint8Array(words.length * 4);
    for (var i = 0; i < out.length; i++) {
        var shift = littleEndian ? (i & 3) * 8 : 24 - (i & 3) * 8;
        out[i] = (words[i >> 2] >>> shift) & 255;
    }
    return out;
}

var HASHES = {md5: [md5, 64], sha1: [sha1, 64], sha256: [sha256, 64]};

function hashAlgorithm(name) {
    if (typeof name !== 'string') throw new TypeError('algorithm must be a string');
    if (!Object.prototype.hasOwnProperty.call(HASHES, name)) {
        throw new TypeError('not supported algorithm: "' + name + '"');
    }
    return HASHES[name];
}

function concatBytes(chunks) {
    var total = 0, i;
    for (i = 0; i < chunks.length; i++) total += chunks[i].length;
    var out = new Uint8Array(total), at = 0;
    for (i = 0; i < chunks.length; i++) { out.set(chunks[i], at); at += chunks[i].length; }
    return out;
}

// What update() and a key accept: strings as UTF-8 (1.0's byte strings as their bytes), and in 2.0
// Buffers, typed arrays, DataViews and ArrayBuffers as they are.
function dataBytes(data, what, encoding) {
    if (typeof data === 'string') {
        if (state.runtime2 && encoding !== undefined) {
            var name = normalEncoding(encoding);
            if (name) return encodeText(data, name);
        }
        return isByteString(data) ? latin1Encode(data) : utf8Encode(data);
    }
    if (state.runtime2) {
        if (data instanceof ArrayBuffer) return new Uint8Array(data);
        if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    throw new TypeError(what + ' is not a string or Buffer-like object');
}

function digestOutput(bytes, encoding) {
    if (encoding === undefined) return state.runtime2 ? toBuffer(bytes) : byteString(latin1Decode(bytes));
    if (typeof encoding !== 'string') throw new TypeError('encoding must be a string');
    if (encoding === 'hex' || encoding === 'base64' || encoding === 'base64url') return decodeText(bytes, encoding);
    throw new TypeError('Unknown digest encoding: "' + encoding + '"');
}

function Hash(algorithm, chunks) {
    this._algorithm = algorithm;
    this._chunks = chunks;
}
Hash.prototype.update = function update(data, encoding) {
    if (!this._chunks) throw new Error('Digest already called');
    this._chunks.push(dataBytes(data, 'data', encoding));
    return this;
};
Hash.prototype.digest = function digest(encoding) {
    if (!this._chunks) throw new Error('Digest already called');
    var bytes = this._algorithm[0](concatBytes(this._chunks));
    this._chunks = null;
    return digestOutput(bytes, encoding);
};
Hash.prototype.copy = function copy() {
    if (!this._chunks) throw new Error('Digest already called');
    return new Hash(this._algorithm, this._chunks.slice());
};

function Hmac(algorithm, key) {
    var block = algorithm[1];
    if (key.length > block) key = algorithm[0](key);
    var inner = new Uint8Array(block), outer = new Uint8Array(block);
    for (var i = 0; i < block; i++) {
        var b = i < key.length ? key[i] : 0;
        inner[i] = b ^ 0x36;
        outer[i] = b ^ 0x5c;
    }
    this._algorithm = algorithm;
    this._outer = outer;
    this._chunks = [inner];
}
Hmac.prototype.update = Hash.prototype.update;
Hmac.prototype.digest = function digest(encoding) {
    if (!this._chunks) throw new Error('Digest already called');
    var hash = this._algorithm[0], inner = hash(concatBytes(this._chunks));
    this._chunks = null;
    return digestOutput(hash(concatBytes([this._outer, inner])), encoding);
};

var cryptoModule = {
    createHash: function createHash(algorithm) {
        return new Hash(hashAlgorithm(algorithm), []);
    },
    createHmac: function createHmac(algorithm, key) {
        var chosen = hashAlgorithm(algorithm);
        return new Hmac(chosen, dataBytes(key === undefined ? '' : key, 'key'));
    }
};

MODULES.crypto = cryptoModule;
