// cloudfront-js-2.0's Buffer (the methods AWS lists, with Node's semantics), TextEncoder, TextDecoder,
// atob and btoa.

class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
        if (typeof value === 'string') {
            var encoding = normalEncoding(encodingOrOffset);
            if (!encoding) throw new TypeError('Unknown encoding: ' + encodingOrOffset);
            return toBuffer(encodeText(value, encoding));
        }
        if (value instanceof ArrayBuffer) {
            var offset = encodingOrOffset === undefined ? 0 : +encodingOrOffset;
            var size = length === undefined ? value.byteLength - offset : +length;
            if (offset < 0 || offset > value.byteLength) throw new RangeError('"offset" is outside of buffer bounds');
            if (size < 0 || offset + size > value.byteLength) throw new RangeError('"length" is outside of buffer bounds');
            return new Buffer(value, offset, size);
        }
        if (ArrayBuffer.isView(value)) {
            var copy = new Buffer(value.byteLength);
            copy.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
            return copy;
        }
        if (value !== null && typeof value === 'object') {
            var primitive = value.valueOf();
            if (primitive !== value && primitive !== null && primitive !== undefined) {
                return Buffer.from(primitive, encodingOrOffset, length);
            }
            if (typeof value.length === 'number' || Array.isArray(value)) {
                var bytes = new Buffer(value.length >>> 0);
                for (var i = 0; i < bytes.length; i++) bytes[i] = value[i] & 255;
                return bytes;
            }
            if (value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data);
        }
        throw new TypeError('first argument must be a string, Buffer, ArrayBuffer, Array, or array-like object');
    }

    static alloc(size, fill, encoding) {
        var buffer = new Buffer(checkSize(size));
        if (fill !== undefined && fill !== 0) buffer.fill(fill, 0, buffer.length, encoding);
        return buffer;
    }

    static allocUnsafe(size) {
        return new Buffer(checkSize(size));
    }

    static byteLength(value, encoding) {
        if (typeof value === 'string') {
            var name = normalEncoding(encoding) || 'utf8';
            return name === 'utf8' ? utf8Length(value) : encodeText(value, name).length;
        }
        if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value.byteLength;
        throw new TypeError('"value" argument must be a string, Buffer, TypedArray, DataView or ArrayBuffer');
    }

    static compare(a, b) {
        if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) {
            throw new TypeError('arguments must be Buffers or Uint8Arrays');
        }
        return compareBytes(a, b);
    }

    static concat(list, totalLength) {
        if (!Array.isArray(list)) throw new TypeError('"list" argument must be an Array of Buffers');
        var total = 0, i;
        for (i = 0; i < list.length; i++) {
            if (!(list[i] instanceof Uint8Array)) throw new TypeError('"list[' + i + ']" must be a Buffer or Uint8Array');
            total += list[i].length;
        }
        var result = new Buffer(totalLength === undefined ? total : checkSize(totalLength)), at = 0;
        for (i = 0; i < list.length && at < result.length; i++) {
            var part = list[i].subarray(0, result.length - at);
            result.set(part, at);
            at += part.length;
        }
        return result;
    }

    static isBuffer(value) {
        return value instanceof Buffer;
    }

    static isEncoding(encoding) {
        return typeof encoding === 'string' && normalEncoding(encoding) !== null;
    }

    get parent() { return this.buffer; }

    compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
        if (!(target instanceof Uint8Array)) throw new TypeError('"target" argument must be a Buffer or Uint8Array');
        var t = target.subarray(targetStart || 0, targetEnd === undefined ? target.length : targetEnd);
        var s = this.subarray(sourceStart || 0, sourceEnd === undefined ? this.length : sourceEnd);
        return compareBytes(s, t);
    }

    copy(target, targetStart, sourceStart, sourceEnd) {
        targetStart = targetStart || 0;
        var part = this.subarray(sourceStart || 0, sourceEnd === undefined ? this.length : sourceEnd);
        part = part.subarray(0, Math.max(0, target.length - targetStart));
        target.set(part, targetStart);
        return part.length;
    }

    equals(other) {
        if (!(other instanceof Uint8Array)) throw new TypeError('"otherBuffer" argument must be a Buffer or Uint8Array');
        return compareBytes(this, other) === 0;
    }

    fill(value, offset, end, encoding) {
        if (typeof offset === 'string') { encoding = offset; offset = 0; end = this.length; }
        else if (typeof end === 'string') { encoding = end; end = this.length; }
        offset = offset === undefined ? 0 : offset;
        end = end === undefined ? this.length : end;
        if (typeof value === 'number') return Uint8Array.prototype.fill.call(this, value & 255, offset, end);
        var bytes = typeof value === 'string' ? encodeText(value, normalEncoding(encoding) || 'utf8') : value;
        if (!(bytes instanceof Uint8Array)) throw new TypeError('"value" argument must be a string, Buffer or number');
        if (bytes.length === 0) return Uint8Array.prototype.fill.call(this, 0, offset, end);
        for (var i = offset, j = 0; i < end; i++, j = (j + 1) % bytes.length) this[i] = bytes[j];
        return this;
    }

    includes(value, byteOffset, encoding) {
        return this.indexOf(value, byteOffset, encoding) !== -1;
    }

    indexOf(value, byteOffset, encoding) {
        return searchBytes(this, value, byteOffset, encoding, false);
    }

    lastIndexOf(value, byteOffset, encoding) {
        return searchBytes(this, value, byteOffset, encoding, true);
    }

    subarray(start, end) {
        var view = Uint8Array.prototype.subarray.call(this, start, end);
        return new Buffer(view.buffer, view.byteOffset, view.length);
    }

    slice(start, end) {
        return this.subarray(start, end);
    }

    swap16() { return swapBytes(this, 2); }
    swap32() { return swapBytes(this, 4); }
    swap64() { return swapBytes(this, 8); }

    toJSON() {
        return {type: 'Buffer', data: Array.prototype.slice.call(this)};
    }

    toString(encoding, start, end) {
        var name = normalEncoding(encoding);
        if (!name) throw new TypeError('Unknown encoding: ' + encoding);
        return decodeText(Uint8Array.prototype.subarray.call(this, start || 0, end === undefined ? this.length : end), name);
    }

    write(string, offset, length, encoding) {
        if (typeof offset === 'string') { encoding = offset; offset = 0; length = undefined; }
        else if (typeof length === 'string') { encoding = length; length = undefined; }
        offset = offset || 0;
        var bytes = encodeText(String(string), normalEncoding(encoding) || 'utf8');
        var room = Math.min(this.length - offset, length === undefined ? Infinity : length);
        var part = bytes.subarray(0, Math.max(0, room));
        this.set(part, offset);
        return part.length;
    }
}

function toBuffer(bytes) {
    return new Buffer(bytes.buffer, bytes.byteOffset, bytes.length);
}

function checkSize(size) {
    if (typeof size !== 'number' || size < 0 || size !== size || size > 0x7fffffff) {
        throw new RangeError('"size" argument must be a non-negative number');
    }
    return Math.floor(size);
}

function compareBytes(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
        if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length === b.length ? 0 : (a.length < b.length ? -1 : 1);
}

function searchBytes(buffer, value, byteOffset, encoding, last) {
    if (typeof byteOffset === 'string') { encoding = byteOffset; byteOffset = undefined; }
    var needle;
    if (typeof value === 'number') needle = [value & 255];
    else if (typeof value === 'string') needle = encodeText(value, normalEncoding(encoding) || 'utf8');
    else if (value instanceof Uint8Array) needle = value;
    else throw new TypeError('"value" argument must be a string, Buffer, Uint8Array or number');
    var n = buffer.length, m = needle.length;
    var from = byteOffset === undefined ? (last ? n - m : 0) : Math.trunc(+byteOffset) || 0;
    if (from < 0) from += n;
    if (m === 0) return Math.min(Math.max(from, 0), n);
    for (var i = last ? Math.min(from, n - m) : Math.max(from, 0); last ? i >= 0 : i <= n - m; i += last ? -1 : 1) {
        var j = 0;
        while (j < m && buffer[i + j] === needle[j]) j++;
        if (j === m) return i;
    }
    return -1;
}

function swapBytes(buffer, size) {
    if (buffer.length % size !== 0) throw new RangeError('Buffer size must be a multiple of ' + (size * 8) + '-bits');
    for (var i = 0; i < buffer.length; i += size) {
        for (var a = i, b = i + size - 1; a < b; a++, b--) {
            var t = buffer[a]; buffer[a] = buffer[b]; buffer[b] = t;
        }
    }
    return buffer;
}

function view(buffer) {
    return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function checkOffset(buffer, offset, size) {
    offset = offset === undefined ? 0 : offset;
    if (typeof offset !== 'number' || offset !== Math.floor(offset) || offset < 0 || offset + size > buffer.length) {
        throw new RangeError('Index out of range');
    }
    return offset;
}

// read/write for the fixed-width integers and floats: [name, DataView type, size, little-endian].
[['Int8', 'Int8', 1, false], ['UInt8', 'Uint8', 1, false], ['Int16BE', 'Int16', 2, false],
 ['Int16LE', 'Int16', 2, true], ['UInt16BE', 'Uint16', 2, false], ['UInt16LE', 'Uint16', 2, true],
 ['Int32BE', 'Int32', 4, false], ['Int32LE', 'Int32', 4, true], ['UInt32BE', 'Uint32', 4, false],
 ['UInt32LE', 'Uint32', 4, true], ['FloatBE', 'Float32', 4, false], ['FloatLE', 'Float32', 4, true],
 ['DoubleBE', 'Float64', 8, false], ['DoubleLE', 'Float64', 8, true]].forEach(function (spec) {
    var get = DataView.prototype['get' + spec[1]], set = DataView.prototype['set' + spec[1]];
    Buffer.prototype['read' + spec[0]] = function (offset) {
        return get.call(view(this), checkOffset(this, offset, spec[2]), spec[3]);
    };
    Buffer.prototype['write' + spec[0]] = function (value, offset) {
        offset = checkOffset(this, offset, spec[2]);
        set.call(view(this), offset, +value, spec[3]);
        return offset + spec[2];
    };
});

// read/write for integers of 1 to 6 bytes.
function variableInt(signed, little) {
    return function (offset, byteLength) {
        if (!(byteLength >= 1 && byteLength <= 6)) throw new RangeError('"byteLength" must be between 1 and 6');
        offset = checkOffset(this, offset, byteLength);
        var value = 0;
        for (var i = 0; i < byteLength; i++) value = value * 256 + this[offset + (little ? byteLength - 1 - i : i)];
        if (signed && value >= Math.pow(2, 8 * byteLength - 1)) value -= Math.pow(2, 8 * byteLength);
        return value;
    };
}

function variableWrite(little) {
    return function (value, offset, byteLength) {
        if (!(byteLength >= 1 && byteLength <= 6)) throw new RangeError('"byteLength" must be between 1 and 6');
        offset = checkOffset(this, offset, byteLength);
        value = +value;
        if (value < 0) value += Math.pow(2, 8 * byteLength);
        for (var i = 0; i < byteLength; i++) {
            this[offset + (little ? i : byteLength - 1 - i)] = value % 256;
            value = Math.floor(value / 256);
        }
        return offset + byteLength;
    };
}

Buffer.prototype.readIntBE = variableInt(true, false);
Buffer.prototype.readIntLE = variableInt(true, true);
Buffer.prototype.readUIntBE = variableInt(false, false);
Buffer.prototype.readUIntLE = variableInt(false, true);
Buffer.prototype.writeIntBE = Buffer.prototype.writeUIntBE = variableWrite(false);
Buffer.prototype.writeIntLE = Buffer.prototype.writeUIntLE = variableWrite(true);
Buffer.prototype.readUint8 = Buffer.prototype.readUInt8;

class TextEncoder {
    get encoding() { return 'utf-8'; }

    encode(input) {
        return utf8Encode(input === undefined ? '' : String(input));
    }

    encodeInto(input, destination) {
        var bytes = utf8Encode(String(input)), written = 0, read = 0, string = String(input);
        // Whole characters only: stop before one whose bytes would not all fit.
        for (var i = 0; i < string.length; i++) {
            var code = string.codePointAt(i), size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
            if (written + size > destination.length) break;
            destination.set(bytes.subarray(written, written + size), written);
            written += size;
            read += code >= 0x10000 ? 2 : 1;
            if (code >= 0x10000) i++;
        }
        return {read: read, written: written};
    }
}

class TextDecoder {
    constructor(label, options) {
        var name = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
        if (name !== 'utf-8' && name !== 'utf8' && name !== 'unicode-1-1-utf-8') {
            throw new RangeError('The "' + label + '" encoding is not supported');
        }
        this._fatal = !!(options && options.fatal);
        this._ignoreBOM = !!(options && options.ignoreBOM);
    }

    get encoding() { return 'utf-8'; }
    get fatal() { return this._fatal; }
    get ignoreBOM() { return this._ignoreBOM; }

    decode(input) {
        var bytes;
        if (input === undefined) bytes = new Uint8Array(0);
        else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
        else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
        else throw new TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
        if (!this._ignoreBOM && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
            bytes = bytes.subarray(3);
        }
        var text = utf8Decode(bytes, this._fatal);
        if (text === null) throw new TypeError('The encoded data was not valid utf-8');
        return text;
    }
}

function btoa(data) {
    if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
    var string = String(data);
    if (/[^\x00-\xff]/.test(string)) throw new Error('Invalid character');
    return base64Encode(latin1Encode(string), false);
}

function atob(data) {
    if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
    var string = String(data).replace(/[\t\n\f\r ]/g, '');
    if (string.length % 4 === 0) string = string.replace(/={1,2}$/, '');
    if (string.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(string)) throw new Error('Invalid character');
    return latin1Decode(base64Decode(string));
}

MODULES.buffer = {Buffer: Buffer};
