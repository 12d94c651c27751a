// What a lambda has in functions-bridge (docs/javascript.md): console, process.env, fetch, timers, require
// of the Toolbelt (V1 'lp-faas-toolbelt', V2 'core-functions-toolbelt'), and nothing else. Evaluated
// once per instance, in the lambda's own context (lambda-host.js); `host` gives text and numbers and
// takes them, with callbacks of this context for its answers: no object of the host's realm reaches
// the lambda. The value of this script is the function that makes the one each invocation runs with.
(function (given) {
    'use strict';

    // What the runtime relies on, taken before the lambda's code runs (it may change the context's
    // built-ins, for itself): the runtime never hands the host an object of the lambda's making, nor
    // the lambda an object of the host's, a failure of a host call included.
    const apply = Reflect.apply;
    const PromiseOf = Promise;
    const then = Promise.prototype.then;
    const parse = JSON.parse;
    const stringify = JSON.stringify;
    const ErrorOf = Error;
    const TextOf = String;
    const host = {};
    for (const name of ['log', 'env', 'http', 'secret', 'setTimeout', 'clearTimeout', 'reserve']) {
        const call = given[name];
        host[name] = function () {
            try {
                return apply(call, given, arguments);
            } catch (failure) {
                throw new ErrorOf('functions-bridge: ' + TextOf(failure && failure.message));
            }
        };
    }
    Object.freeze(host);

    const describe = (value) => {
        if (typeof value === 'string') {
            return value;
        }
        if (value instanceof Error) {
            return value.stack && value.stack.indexOf(value.message) >= 0 ? value.stack : String(value);
        }
        try {
            const json = JSON.stringify(value);
            return json === undefined ? String(value) : json;
        } catch (e) {
            return String(value);
        }
    };

    const console = {};
    for (const level of ['debug', 'log', 'info', 'warn', 'error']) {
        console[level] = function () {
            host.log(level, Array.prototype.map.call(arguments, describe).join(' '));
        };
    }
    console.trace = console.debug;

    // one HTTP exchange, whitelist checked by the bridge, made while the lambda awaits it (no thread
    // is held): a promise of {status, headers (JSON text, read when asked), body}
    const exchange = (method, url, headers, body) => new Promise((resolve, reject) => {
        const names = headers ? Object.keys(headers) : [];
        host.http(String(method || 'GET').toUpperCase(), String(url), names.length === 0 ? '' : JSON.stringify(headers),
            body === undefined || body === null ? null : String(body),
            (status, text, headersJson) => resolve({ status, body: text, headersJson }), (message) => reject(new Error(message)));
    });
    // the Toolbelt's calls to the bridge (settings.json's secrets): a promise of the value's text
    const secretCall = (op, key, value) => new Promise((resolve, reject) => {
        host.secret(op, key, value, resolve, (message) => reject(new Error(message)));
    });

    const headersOf = (given) => {
        const headers = {};
        if (given && typeof given.forEach === 'function' && !Array.isArray(given)) {
            given.forEach((value, name) => { headers[String(name).toLowerCase()] = String(value); });
        } else if (Array.isArray(given)) {
            given.forEach(([name, value]) => { headers[String(name).toLowerCase()] = String(value); });
        } else if (given) {
            Object.keys(given).forEach((name) => { headers[name.toLowerCase()] = String(given[name]); });
        }
        return headers;
    };

    class Headers {
        constructor(init) {
            this._init = init;
            this._parsed = null;
        }
        get _map() {
            if (this._parsed === null) {
                const init = typeof this._init === 'string' ? JSON.parse(this._init || '{}') : this._init;
                this._parsed = new Map(Object.entries(headersOf(init)));
            }
            return this._parsed;
        }
        get(name) {
            const value = this._map.get(String(name).toLowerCase());
            return value === undefined ? null : value;
        }
        has(name) {
            return this._map.has(String(name).toLowerCase());
        }
        set(name, value) {
            this._map.set(String(name).toLowerCase(), String(value));
        }
        forEach(callback) {
            this._map.forEach((value, name) => callback(value, name, this));
        }
        entries() {
            return this._map.entries();
        }
        [Symbol.iterator]() {
            return this._map.entries();
        }
    }

    class Response {
        constructor(answer, url) {
            this.status = answer.status;
            this.statusText = '';
            this.ok = answer.status >= 200 && answer.status < 300;
            this.headers = new Headers(answer.headersJson);
            this.url = url;
            this._body = answer.body || '';
        }
        async text() {
            return this._body;
        }
        async json() {
            return JSON.parse(this._body);
        }
    }

    // V2: the global fetch (the parts a lambda uses: method, headers, body; text() and json())
    const fetch = async (resource, init) => {
        const url = typeof resource === 'string' ? resource : resource && resource.url;
        const options = init || {};
        return new Response(await exchange(options.method, url, headersOf(options.headers), options.body), url);
    };

    // V1: Toolbelt.HTTPClient(), request-promise's interface (uri/url, method, headers, body, json,
    // qs, simple, resolveWithFullResponse)
    const httpClient = (first, second) => {
        const options = Object.assign({}, typeof first === 'string' ? { uri: first } : first, second);
        let url = options.uri || options.url;
        if (options.qs) {
            const query = Object.keys(options.qs)
                .map((key) => encodeURIComponent(key) + '=' + encodeURIComponent(options.qs[key])).join('&');
            url += (url.indexOf('?') >= 0 ? '&' : '?') + query;
        }
        const headers = headersOf(options.headers);
        let body = options.body;
        if (options.json && body !== undefined && typeof body !== 'string') {
            body = JSON.stringify(body);
            headers['content-type'] = headers['content-type'] || 'application/json';
        }
        return exchange(options.method, url, headers, body).then((answer) => {
            let parsed = answer.body;
            if (options.json && parsed) {
                try {
                    parsed = JSON.parse(parsed);
                } catch (e) {
                    // request-promise keeps a body that is not JSON as text
                }
            }
            if (options.simple !== false && (answer.status < 200 || answer.status >= 300)) {
                const error = new Error(answer.status + ' - ' + describe(parsed));
                error.name = 'StatusCodeError';
                error.statusCode = answer.status;
                error.error = parsed;
                throw error;
            }
            return options.resolveWithFullResponse
                ? { statusCode: answer.status, headers: JSON.parse(answer.headersJson || '{}'), body: parsed } : parsed;
        });
    };

    class SecretError extends Error {
        constructor(message, errorCode) {
            super(message);
            this.name = 'SecretError';
            this.errorCode = errorCode;
        }
    }

    class SecretClient {
        async readSecret(key) {
            const found = await secretCall('read', String(key));
            if (found === null) {
                throw new SecretError('secret ' + key + ' does not exist', 'com.liveperson.faas.secretstore.secret-not-found');
            }
            return { key: String(key), value: found };
        }
        async updateSecret(secret) {
            if (!secret || typeof secret.key !== 'string') {
                throw new SecretError('a secret is {key, value}', 'com.liveperson.faas.secretstore.invalid-secret');
            }
            const value = typeof secret.value === 'string' ? secret.value : JSON.stringify(secret.value);
            await secretCall('update', secret.key, value);
            return { key: secret.key, value: secret.value };
        }
    }

    const unavailable = (name) => function () {
        throw new Error('Toolbelt.' + name + '() is not available in functions-bridge: it needs the platform');
    };

    const Toolbelt = Object.freeze({
        HTTPClient: () => httpClient,
        SecretClient: () => new SecretClient(),
        ConversationUtil: unavailable('ConversationUtil'),
        GDPRUtil: unavailable('GDPRUtil'),
        SDEUtil: unavailable('SDEUtil'),
        SFClient: unavailable('SFClient'),
        LpClient: unavailable('LpClient'),
        ContextServiceClient: unavailable('ContextServiceClient'),
        MessagingClient: unavailable('MessagingClient'),
        OrchestratorClient: unavailable('OrchestratorClient')
    });
    const toolbelt = Object.freeze({ Toolbelt, SecretError, default: Toolbelt });

    const require = (name) => {
        if (name === 'lp-faas-toolbelt' || name === 'core-functions-toolbelt') {
            return toolbelt;
        }
        throw new Error("Cannot find module '" + name + "': a lambda in functions-bridge has the Toolbelt only");
    };

    const env = JSON.parse(host.env());
    const define = (name, value) => Object.defineProperty(globalThis, name, { value, writable: false, configurable: false });
    define('console', Object.freeze(console));
    define('process', Object.freeze({ env }));
    define('fetch', fetch);
    define('Headers', Headers);
    define('Response', Response);
    define('require', require);
    // timers, as Node has them: the callback runs later in the same invocation (at most until its timeout)
    define('setTimeout', (callback, delay, ...args) => host.setTimeout(Math.max(0, Number(delay) || 0), () => callback(...args)));
    define('clearTimeout', (id) => { if (typeof id === 'number') { host.clearTimeout(id); } });
    // the V2 module 'core-functions-toolbelt' exports it
    define('__functionsBridgeToolbelt', toolbelt);
    // no WebAssembly, no memory shared between threads, no collection on demand
    for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics']) {
        delete globalThis[name];
    }
    // V8 makes it writable but not configurable
    globalThis.gc = undefined;
    // array buffers are held outside the heap: each one made counts against the instance's memory
    // (past it, a RangeError), through its constructor and through the species of slice() and map()
    const reserve = (bytes) => {
        if (!host.reserve(bytes)) {
            throw new RangeError('Array buffer allocation failed: the lambda\'s instance holds as much memory as it may');
        }
    };
    const guard = (Original, bytesOf) => {
        const guarded = new Proxy(Original, {
            construct(target, args, newTarget) {
                reserve(bytesOf(args));
                return Reflect.construct(target, args, newTarget === guarded ? target : newTarget);
            }
        });
        Object.defineProperty(Original.prototype, 'constructor', { value: guarded, writable: true, configurable: true });
        Object.defineProperty(globalThis, Original.name, { value: guarded, writable: true, configurable: true });
        return guarded;
    };
    const lengthOf = (value) => (typeof value === 'number' ? value
        : value !== null && typeof value === 'object' && typeof value.length === 'number' && !(value instanceof ArrayBuffer) ? value.length : 0);
    const resize = ArrayBuffer.prototype.resize;
    guard(ArrayBuffer, (args) => Math.max(Number(args[0]) || 0, args[1] && Number(args[1].maxByteLength) || 0));
    if (typeof resize === 'function') {
        Object.defineProperty(ArrayBuffer.prototype, 'resize', { value: function (length) {
            reserve(Math.max(0, (Number(length) || 0) - this.byteLength));
            return resize.call(this, length);
        }, writable: true, configurable: true });
    }
    for (const Typed of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array,
        Float64Array, BigInt64Array, BigUint64Array]) {
        guard(Typed, (args) => lengthOf(args[0]) * Typed.BYTES_PER_ELEMENT);
    }

    // One invocation: resolves to {ok: true, json} with the result as JSON, or {ok: false, message}.
    // V1 lambda(input, callback): the callback's error or result; V2 lambda(input): its value.
    // One invocation: report(true, json) with the result as JSON, or report(false, undefined, message).
    // V1 lambda(input, callback): the callback's error or result; V2 lambda(input): its value.
    return (lambda, inputJson, report) => {
        const settled = new PromiseOf((resolve, reject) => {
            const input = parse(inputJson);
            if (lambda.length >= 2) {
                lambda(input, (error, result) => (error ? reject(error) : resolve(result)));
            } else {
                resolve(lambda(input));
            }
        });
        apply(then, settled, [(result) => {
            let json;
            try {
                json = result === undefined ? 'null' : stringify(result);
            } catch (error) {
                report(false, undefined, 'the result is not JSON: ' + describe(error));
                return;
            }
            report(true, TextOf(json));
        }, (error) => {
            let message;
            try {
                message = error instanceof ErrorOf ? TextOf(error.message) : describe(error);
            } catch (e) {
                message = 'an error that cannot be described';
            }
            report(false, undefined, message);
        }]);
    };
});
