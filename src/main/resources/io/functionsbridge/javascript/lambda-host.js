'use strict';
// functions-bridge's lambda host (docs/javascript.md): the Node.js process the bridge starts to run
// its JavaScript lambdas, and supervises. Each lambda instance is a worker thread of its own: a V8
// isolate whose heap is capped (resourceLimits), which terminate() stops whatever it runs, and whose
// running out of memory ends it alone. Inside it, the lambda runs in a context of its own that has
// the Toolbelt (runtime.js) and nothing of Node's. The process itself runs under Node's permission
// model (no file but this folder's, read only; no child process) with code generation from strings
// off, and ends when the bridge closes its standard input (the bridge stopped or died).
//
// The bridge and this process talk in frames on standard input and output: a 4-byte big-endian
// length, then a JSON header, a newline, and a body (UTF-8 text: a source, an input, a result).
//   bridge -> host: load {i, name, module, env, whitelist, memoryMb, timeoutMs, maxReplyBytes} + source
//                   run {i, r, timeoutMs} + input;  drop {i};  answer {i, c, ok, found, message} + value
//   host -> bridge: loaded {i, logs, dropped} or loadFailed {i, code, message}: the first load's outcome
//                   done {r, ok, code, message, logs, dropped, tooLarge} + result
//                   secret {i, c, op, key} + value
//                   ended {i, message}: a worker of the instance ended (the next run makes another)
//                   dropped {i}: a dropped instance is gone, its last run done

const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const CUSTOM_FAILURE = 'com.liveperson.faas.handler.custom-failure';
const RUNTIME_EXCEPTION = 'com.liveperson.faas.handler.runtime-exception';
const TIME_EXCEEDED = 'com.liveperson.faas.handler.executiontime-exceeded';

if (isMainThread) {
    host();
} else {
    instance();
}

// The process: frames in and out, an instance per worker, the runs' deadlines.
function host() {
    const fs = require('node:fs');
    const path = require('node:path');
    const runtimeSource = fs.readFileSync(path.join(__dirname, 'runtime.js'), 'utf8');
    // a computing instance does not answer a ping: after a run's timeout, this long without an answer ends it
    // (long enough that a worker busy for a moment with another run, or a collection, is not taken for a loop)
    const PROBE_MS = 1000;
    const RECYCLED = 'recycled: it held nearly all its memory';
    const instances = new Map();
    let calls = 0;

    let out = [];
    const flush = () => {
        const frames = out;
        out = [];
        process.stdout.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    };
    const send = (header, body) => {
        const head = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
        const tail = body === undefined || body === null ? null : Buffer.from(body, 'utf8');
        const length = head.length + (tail === null ? 0 : tail.length);
        const frame = Buffer.allocUnsafe(4 + length);
        frame.writeUInt32BE(length, 0);
        head.copy(frame, 4);
        if (tail !== null) {
            tail.copy(frame, 4 + head.length);
        }
        if (out.push(frame) === 1) {
            setImmediate(flush);
        }
    };

    // A lambda version's instance: its worker, and the runs asked of it. A worker that ends (its
    // memory, a crash, a run computing past its timeout) fails the runs it was given; the runs that
    // were still waiting for it go to a new worker, made as the first was.
    class Instance {
        constructor(header, source) {
            this.id = header.i;
            this.header = header;
            this.source = source;
            this.runs = new Map();
            this.waiting = [];
            this.worker = null;
            this.ready = false;
            this.announced = false;
            this.suspect = false;
            this.draining = false;
            this.pings = 0;
            this.pongs = 0;
            this.calls = new Map();
            this.spawn();
        }

        spawn() {
            const header = this.header;
            // the isolate itself takes about 8 MB outside its heap: the heap gets the rest of the cap, its
            // young generation a fifth of it (at most 48 MB), so that short-lived objects rarely cost a collection
            const heap = Math.max(8, header.memoryMb - 8);
            const young = Math.max(2, Math.min(48, Math.floor(heap / 5)));
            const worker = new Worker(__filename, {
                workerData: {
                    name: header.name, module: header.module, env: header.env, whitelist: header.whitelist,
                    memoryMb: header.memoryMb, oldGenerationMb: Math.max(4, heap - young), timeoutMs: header.timeoutMs,
                    maxReplyBytes: header.maxReplyBytes,
                    source: this.source, runtime: runtimeSource
                },
                resourceLimits: { maxOldGenerationSizeMb: Math.max(4, heap - young), maxYoungGenerationSizeMb: young },
                env: {},
                stdout: true,
                stderr: true
            });
            this.worker = worker;
            this.ready = false;
            this.suspect = false;
            this.why = null;
            this.whyCode = RUNTIME_EXCEPTION;
            // nothing a worker writes may reach the frames on standard output
            worker.stdout.resume();
            worker.stderr.pipe(process.stderr);
            this.loadTimer = setTimeout(() => this.end(worker, 'its top level ran for more than ' + header.timeoutMs + ' ms', TIME_EXCEEDED),
                header.timeoutMs);
            worker.on('message', (message) => this.received(worker, message));
            worker.on('error', (error) => {
                if (error && error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
                    this.because(worker, 'the lambda\'s instance held more than its ' + header.memoryMb + ' MB (bridge.javascript.max-memory-mb)');
                } else {
                    this.because(worker, 'the lambda\'s instance crashed: ' + (error && error.message));
                }
            });
            worker.on('exit', () => this.exited(worker));
        }

        because(worker, why, code) {
            if (worker === this.worker && this.why === null) {
                this.why = why;
                this.whyCode = code || RUNTIME_EXCEPTION;
            }
        }

        received(worker, message) {
            switch (message.t) {
                case 'loaded':
                    if (worker !== this.worker) {
                        break;
                    }
                    clearTimeout(this.loadTimer);
                    this.ready = true;
                    if (!this.announced) {
                        this.announced = true;
                        send({ t: 'loaded', i: this.id, logs: message.logs, dropped: message.dropped });
                    }
                    this.post();
                    break;
                case 'loadFailed':
                    this.because(worker, message.message, message.code);
                    worker.terminate();
                    break;
                case 'done': {
                    const run = this.runs.get(message.r);
                    if (run === undefined) {
                        break;
                    }
                    clearTimeout(run.timer);
                    this.runs.delete(message.r);
                    send({ t: 'done', r: message.r, ok: message.ok, code: message.code, message: message.message,
                        logs: message.logs, dropped: message.dropped, tooLarge: message.tooLarge }, message.json);
                    this.retire(worker);
                    this.drained();
                    break;
                }
                case 'secret': {
                    // the host's own id for the call: an answer goes back to the worker that asked, and to no other
                    const call = ++calls;
                    this.calls.set(call, { worker, c: message.c });
                    send({ t: 'secret', i: this.id, c: call, op: message.op, key: message.key }, message.value);
                    break;
                }
                case 'retiring':
                    // near its cap: it takes no more runs, ends once those it has are done, and the next worker takes the rest
                    worker.retiring = true;
                    this.retire(worker);
                    break;
                case 'bounce': {
                    const run = this.runs.get(message.r);
                    if (run !== undefined) {
                        run.posted = false;
                        this.waiting.push(run);
                    }
                    this.retire(worker);
                    break;
                }
                case 'pong':
                    if (worker === this.worker && message.n > this.pongs) {
                        this.pongs = message.n;
                        if (this.pongs === this.pings) {
                            this.suspect = false;
                            this.retire(worker);
                            this.post();
                        }
                    }
                    break;
                default:
                    break;
            }
        }

        run(header, input) {
            const run = { r: header.r, posted: false, message: { t: 'run', r: header.r, input, timeoutMs: header.timeoutMs } };
            run.timer = setTimeout(() => this.timedOut(run, header.timeoutMs), header.timeoutMs);
            this.runs.set(run.r, run);
            this.waiting.push(run);
            if (this.worker === null) {
                this.spawn();
            }
            this.post();
        }

        // a retiring worker ends once the runs it was given are done (they were, unless it bounced them)
        retire(worker) {
            if (worker === this.worker && worker.retiring && ![...this.runs.values()].some((run) => run.posted)) {
                this.why = RECYCLED;
                worker.terminate();
            }
        }

        // the runs waiting go to the worker, once it has loaded and answers, in the order they were asked
        post() {
            if (this.worker === null || !this.ready || this.suspect || this.worker.retiring) {
                return;
            }
            this.waiting.sort((a, b) => a.r - b.r);
            for (const run of this.waiting) {
                if (this.runs.has(run.r)) {
                    run.posted = true;
                    this.worker.postMessage(run.message);
                }
            }
            this.waiting = [];
        }

        // the run failed at its deadline, whatever it was doing; a worker computing past it is ended
        timedOut(run, timeoutMs) {
            if (!this.runs.delete(run.r)) {
                return;
            }
            send({ t: 'done', r: run.r, ok: false, code: TIME_EXCEEDED, message: 'the lambda ran for more than its ' + timeoutMs + ' ms' });
            if (run.posted && this.worker !== null) {
                const worker = this.worker;
                worker.postMessage({ t: 'cancel', r: run.r });
                const asked = ++this.pings;
                this.suspect = true;
                worker.postMessage({ t: 'ping', n: asked });
                setTimeout(() => {
                    if (worker === this.worker && this.pongs < asked) {
                        this.end(worker, 'another run of it computed past its timeout');
                    }
                }, PROBE_MS);
                this.retire(worker);
            }
            this.drained();
        }

        answer(header, value) {
            const call = this.calls.get(header.c);
            this.calls.delete(header.c);
            if (call !== undefined && call.worker === this.worker) {
                call.worker.postMessage({ t: 'answer', c: call.c, ok: header.ok, message: header.message, value });
            }
        }

        drop() {
            this.draining = true;
            this.drained();
        }

        drained() {
            if (this.draining && this.runs.size === 0 && instances.delete(this.id)) {
                if (!this.announced) {
                    this.announced = true;
                    send({ t: 'loadFailed', i: this.id, code: RUNTIME_EXCEPTION, message: 'dropped before it loaded' });
                }
                send({ t: 'dropped', i: this.id });
                if (this.worker !== null) {
                    this.worker.terminate();
                    this.worker = null;
                }
            }
        }

        end(worker, why, code) {
            this.because(worker, why, code);
            worker.terminate();
        }

        exited(worker) {
            if (worker !== this.worker) {
                return;
            }
            clearTimeout(this.loadTimer);
            this.worker = null;
            const why = this.why || 'the lambda\'s instance ended';
            const loaded = this.ready;
            for (const run of [...this.runs.values()]) {
                // the runs it was given fail with it; those waiting fail too when it never loaded
                if (run.posted || !loaded) {
                    clearTimeout(run.timer);
                    this.runs.delete(run.r);
                    // a run waiting for a load that ran out of time ran out of its own (they started together)
                    send({ t: 'done', r: run.r, ok: false, code: !loaded && this.whyCode === TIME_EXCEEDED ? TIME_EXCEEDED : RUNTIME_EXCEPTION,
                        message: loaded ? why : 'the lambda did not load: ' + why });
                }
            }
            if (!loaded && !this.announced) {
                this.announced = true;
                send({ t: 'loadFailed', i: this.id, code: this.whyCode, message: why });
            } else if (!this.draining && why !== RECYCLED) {
                send({ t: 'ended', i: this.id, message: why });
            }
            this.waiting = this.waiting.filter((run) => this.runs.has(run.r));
            if (this.waiting.length > 0 && !this.draining) {
                this.spawn();
            }
            this.drained();
        }
    }

    const received = (header, body) => {
        const instance = instances.get(header.i);
        switch (header.t) {
            case 'load':
                instances.set(header.i, new Instance(header, body));
                break;
            case 'run':
                if (instance === undefined) {
                    send({ t: 'done', r: header.r, ok: false, code: RUNTIME_EXCEPTION, message: 'the lambda\'s instance had ended' });
                } else {
                    instance.run(header, body);
                }
                break;
            case 'answer':
                if (instance !== undefined) {
                    instance.answer(header, header.found === true ? (body === null ? '' : body) : null);
                }
                break;
            case 'drop':
                if (instance !== undefined) {
                    instance.drop();
                }
                break;
            default:
                break;
        }
    };

    // frames in
    let chunks = [];
    let buffered = 0;
    process.stdin.on('data', (chunk) => {
        chunks.push(chunk);
        buffered += chunk.length;
        if (buffered < 4) {
            return;
        }
        let data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
        let at = 0;
        while (data.length - at >= 4) {
            const length = data.readUInt32BE(at);
            if (data.length - at - 4 < length) {
                break;
            }
            const start = at + 4;
            const newline = data.indexOf(10, start);
            const header = JSON.parse(data.toString('utf8', start, newline));
            const body = newline + 1 < start + length ? data.toString('utf8', newline + 1, start + length) : null;
            at = start + length;
            received(header, body);
        }
        data = data.subarray(at);
        chunks = data.length === 0 ? [] : [data];
        buffered = data.length;
    });
    // the bridge stopped, or died: so does this process, and its workers with it
    process.stdin.on('end', () => process.exit(0));
    process.stdout.on('error', () => process.exit(0));
}

// One lambda instance: a context with the Toolbelt, the lambda's source loaded in it, and its runs.
function instance() {
    const vm = require('node:vm');
    const v8 = require('node:v8');
    const { AsyncLocalStorage } = require('node:async_hooks');
    const data = workerData;
    // the process runs with --expose-gc: the host may collect the instance's heap (the lambda's context has no gc)
    const collect = globalThis.gc;
    const MAX_LOG_ENTRIES = 10;
    const MAX_LOG_CHARS = 6000;
    const MAX_SECRET_CALLS = 64;
    // a lambda's HTTP request ends at the platform's longest run: a request that several runs await
    // (a token fetched once) is not cut at the deadline of the run that made it
    const REQUEST_TIMEOUT_MS = 30000;

    // nothing of the process for a lambda that reached this realm
    for (const name of ['kill', 'dlopen', 'binding', '_linkedBinding', 'abort', 'chdir', 'reallyExit', '_kill', '_debugProcess',
        'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups']) {
        try {
            Object.defineProperty(process, name, { value: undefined, configurable: false, writable: false });
        } catch (e) {
            // not there in this version
        }
    }
    // a rejection no run handled, or an error thrown where no run catches it, is the lambda's: never the instance's end
    process.on('unhandledRejection', () => {});
    process.on('uncaughtException', (error) => log('error', 'uncaught: ' + describe(error)));

    const runs = new AsyncLocalStorage();
    const active = new Map();
    const loading = { logs: [], chars: 0, dropped: 0, finished: false, deadline: Date.now() + data.timeoutMs };
    const timers = new Map();
    let nextTimer = 1;
    let nextCall = 1;
    const calls = new Map();
    // operations under way in the instance (timers, HTTP, secrets): while there are none and the
    // microtasks have run, a run that has not settled never will
    let pending = 0;
    let checking = false;

    function describe(value) {
        try {
            return value instanceof Error || (value && typeof value.message === 'string') ? String(value.stack || value.message) : String(value);
        } catch (e) {
            return 'an error that cannot be described';
        }
    }

    function current() {
        return runs.getStore() || loading;
    }

    function log(level, text) {
        const run = current();
        if (run.finished) {
            return;
        }
        if (run.logs.length >= MAX_LOG_ENTRIES || run.chars + text.length > MAX_LOG_CHARS) {
            run.dropped++;
            return;
        }
        run.chars += text.length;
        run.logs.push({ level, message: text });
    }

    function started() {
        pending++;
    }

    function ended() {
        pending--;
        idle();
    }

    function idle() {
        if (checking) {
            return;
        }
        checking = true;
        setImmediate(() => {
            checking = false;
            if (pending === 0) {
                for (const run of active.values()) {
                    finish(run, { ok: false, code: RUNTIME_EXCEPTION,
                        message: 'the lambda ended without a result: its callback was not called, or its promise never settles' });
                }
            }
        });
    }

    // a run's timers end with it (a timer loop of a run that ended, or timed out, does not spin on)
    function endTimers(run) {
        let cleared = 0;
        for (const [id, timer] of timers) {
            if (timer.run === run) {
                clearTimeout(timer.handle);
                timers.delete(id);
                cleared++;
            }
        }
        if (cleared > 0) {
            pending -= cleared;
            idle();
        }
    }

    function finish(run, outcome) {
        if (run.finished) {
            return;
        }
        run.finished = true;
        active.delete(run.r);
        endTimers(run);
        let json = outcome.json;
        let tooLarge = false;
        if (outcome.ok && Buffer.byteLength(json, 'utf8') > data.maxReplyBytes) {
            json = undefined;
            tooLarge = true;
        }
        parentPort.postMessage({ t: 'done', r: run.r, ok: outcome.ok, code: outcome.ok ? undefined : outcome.code || CUSTOM_FAILURE,
            message: outcome.message, json, tooLarge, logs: run.logs, dropped: run.dropped });
    }

    // host-side whitelist: a host, or *.example.com for its subdomains
    const whitelist = (data.whitelist || []).map((entry) => String(entry).toLowerCase());
    function allows(hostname) {
        const name = String(hostname).toLowerCase();
        for (let i = 0; i < whitelist.length; i++) {
            const allowed = whitelist[i];
            if (allowed === name || (allowed.startsWith('*.') && name.endsWith(allowed.substring(1)))) {
                return true;
            }
        }
        return false;
    }

    // Node's own HTTP clients (a quarter of fetch's CPU per request), keeping connections alive per
    // instance, as many as it had at once
    const clients = { 'http:': require('node:http'), 'https:': require('node:https') };
    const agents = {
        'http:': new clients['http:'].Agent({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: 4096 }),
        'https:': new clients['https:'].Agent({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: 4096 })
    };
    const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

    // one HTTP exchange of the lambda: whitelisted, within the run's deadline, its answer read up to
    // bridge.invoke.max-reply-bytes, redirects not followed; the lambda gets text and numbers only
    async function exchange(method, url, headersJson, body, deadline) {
        let target;
        try {
            target = new URL(url);
        } catch (e) {
            throw new Error('request refused: ' + url + ' is not a url');
        }
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
            throw new Error('only http and https urls can be fetched, not ' + url);
        }
        const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
        if (!allows(hostname)) {
            throw new Error('host ' + hostname + ' is not on the whitelist (settings.json)');
        }
        const headers = headersJson ? JSON.parse(headersJson) : {};
        if (body !== null) {
            headers['content-length'] = Buffer.byteLength(body, 'utf8');
        }
        // a connection the server closed under the request (a kept-alive one it had let go, most
        // often): an idempotent request is made again, on another, as HTTP clients do
        for (let attempt = 1; ; attempt++) {
            try {
                return await send(target, method, headers, body, deadline);
            } catch (error) {
                if (!error.reset || !IDEMPOTENT.has(method) || attempt >= 5 || Date.now() >= deadline) {
                    throw error;
                }
            }
        }
    }

    function send(target, method, headers, body, deadline) {
        return new Promise((resolve, reject) => {
            const request = clients[target.protocol].request({ protocol: target.protocol, hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
                port: target.port, path: target.pathname + target.search, method, headers, agent: agents[target.protocol] }, (response) => {
                const parts = [];
                let length = 0;
                response.on('data', (chunk) => {
                    length += chunk.length;
                    if (length > data.maxReplyBytes) {
                        clearTimeout(timer);
                        response.destroy();
                        reject(new Error('the answer is longer than ' + data.maxReplyBytes + ' bytes (bridge.invoke.max-reply-bytes)'));
                    } else if (v8.getHeapStatistics().external_memory > data.maxMemoryBytes) {
                        // answers being read are held outside the heap: they count against the instance's memory too
                        clearTimeout(timer);
                        response.destroy();
                        reject(new Error('the answer does not fit the instance\'s memory (' + data.memoryMb + ' MB)'));
                    } else {
                        parts.push(chunk);
                    }
                });
                response.on('end', () => {
                    clearTimeout(timer);
                    const answered = {};
                    for (const [name, value] of Object.entries(response.headers)) {
                        answered[name] = Array.isArray(value) ? value.join(', ') : String(value);
                    }
                    resolve({ status: response.statusCode, text: Buffer.concat(parts).toString('utf8'), headers: JSON.stringify(answered) });
                });
                response.on('error', (error) => {
                    clearTimeout(timer);
                    reject(new Error('request failed: ' + error.message));
                });
            });
            const timer = setTimeout(() => request.destroy(Object.assign(new Error('no answer in time'), { name: 'AbortError' })),
                Math.max(1, deadline - Date.now()));
            request.on('error', (error) => {
                clearTimeout(timer);
                reject(Object.assign(new Error('request failed: ' + (error.name === 'AbortError' ? 'no answer in time' : error.message)),
                    { reset: error.code === 'ECONNRESET' }));
            });
            request.end(body === null ? undefined : body);
        });
    }

    // what the Toolbelt asks of the instance: text and numbers in and out, callbacks for answers
    let small = 0;
    const hostApi = Object.freeze({
        log(level, text) {
            log(String(level), String(text));
        },
        env() {
            return JSON.stringify(data.env || {});
        },
        http(method, url, headersJson, body, resolve, reject) {
            const run = current();
            started();
            exchange(String(method), String(url), headersJson ? String(headersJson) : '', body === null || body === undefined ? null : String(body),
                Date.now() + REQUEST_TIMEOUT_MS)
                .then((answer) => runs.run(run === loading ? undefined : run, () => resolve(answer.status, answer.text, answer.headers)),
                    (error) => runs.run(run === loading ? undefined : run, () => reject(String(error.message))))
                .finally(ended);
        },
        secret(op, key, value, resolve, reject) {
            const run = current();
            if (calls.size >= MAX_SECRET_CALLS) {
                reject('more than ' + MAX_SECRET_CALLS + ' secret reads and updates at once');
                return;
            }
            const c = nextCall++;
            started();
            calls.set(c, { run, resolve, reject });
            parentPort.postMessage({ t: 'secret', c, op: String(op), key: String(key), value: value === undefined ? undefined : String(value) });
        },
        setTimeout(delay, callback) {
            const id = nextTimer++;
            const run = current();
            started();
            timers.set(id, { run, handle: setTimeout(() => {
                timers.delete(id);
                try {
                    callback();
                } catch (error) {
                    log('error', 'a timer\'s callback threw: ' + describe(error));
                } finally {
                    ended();
                }
            }, Math.max(0, Number(delay) || 0)) });
            return id;
        },
        clearTimeout(id) {
            const timer = timers.get(id);
            if (timer !== undefined) {
                clearTimeout(timer.handle);
                timers.delete(id);
                ended();
            }
        },
        // array buffers live outside the heap: whether one more fits the instance's memory (small
        // ones are counted together, and looked at once they make 1 MB)
        reserve(bytes) {
            const wanted = Number(bytes) || 0;
            if (wanted < 65536) {
                small += wanted;
                if (small < 1048576) {
                    return true;
                }
            }
            const asked = wanted + small;
            small = 0;
            return v8.getHeapStatistics().external_memory + asked <= data.maxMemoryBytes;
        }
    });

    parentPort.on('message', (message) => {
        switch (message.t) {
            case 'run':
                start(message);
                break;
            case 'cancel': {
                const run = active.get(message.r);
                if (run !== undefined) {
                    run.finished = true;
                    active.delete(message.r);
                    endTimers(run);
                }
                break;
            }
            case 'ping':
                parentPort.postMessage({ t: 'pong', n: message.n });
                break;
            case 'answer': {
                const call = calls.get(message.c);
                if (call !== undefined) {
                    calls.delete(message.c);
                    runs.run(call.run === loading ? undefined : call.run, () => {
                        try {
                            if (message.ok) {
                                call.resolve(message.value === null || message.value === undefined ? null : String(message.value));
                            } else {
                                call.reject(String(message.message));
                            }
                        } finally {
                            ended();
                        }
                    });
                }
                break;
            }
            default:
                break;
        }
    });

    // the context: V8's built-ins, the Toolbelt, and nothing of Node's
    const context = vm.createContext({}, { name: data.name, codeGeneration: { strings: false, wasm: false } });
    let invoke;
    let lambda;
    data.maxMemoryBytes = data.memoryMb * 1048576;

    // Whether the instance has room for one more run: what it holds under 3/4 of its heap's old
    // generation (where what it keeps lives), after a collection when it looks above. Without room it
    // retires: the run goes back to the host, for the next worker, rather than fail when the heap runs
    // out under it.
    let retiring = false;
    function roomForARun() {
        const limit = data.oldGenerationMb * 1048576;
        const held = () => {
            const heap = v8.getHeapStatistics();
            return heap.used_heap_size + heap.external_memory;
        };
        if (held() < 0.75 * limit) {
            return true;
        }
        collect();
        return held() < 0.75 * limit;
    }

    function start(message) {
        if (retiring || !roomForARun()) {
            if (!retiring) {
                retiring = true;
                parentPort.postMessage({ t: 'retiring' });
            }
            parentPort.postMessage({ t: 'bounce', r: message.r });
            return;
        }
        const record = { r: message.r, logs: [], chars: 0, dropped: 0, finished: false, deadline: Date.now() + message.timeoutMs };
        active.set(record.r, record);
        runs.run(record, () => {
            try {
                // the runtime reports the outcome as text: nothing of the lambda's making reaches this code
                invoke(lambda, message.input, (ok, json, text) => finish(record, ok === true ? { ok: true, json: String(json) }
                    : { ok: false, message: String(text) }));
            } catch (error) {
                finish(record, { ok: false, code: RUNTIME_EXCEPTION, message: 'the lambda could not be called' });
            }
        });
        idle();
    }

    // the worker's own built-ins cannot be changed, whatever of them a lambda might reach
    for (const intrinsic of [Object, Object.prototype, Array, Array.prototype, Function.prototype, String, String.prototype, Number.prototype,
        Boolean.prototype, Symbol.prototype, Promise, Promise.prototype, Map.prototype, Set.prototype, RegExp.prototype, JSON, Reflect]) {
        Object.freeze(intrinsic);
    }

    async function load() {
        const setup = vm.runInContext(data.runtime, context, { filename: 'functions-bridge/runtime.js' });
        invoke = setup(hostApi);
        const budget = () => Math.max(1, loading.deadline - Date.now());
        if (data.module) {
            const toolbelt = vm.runInContext('globalThis.__functionsBridgeToolbelt', context);
            const module = new vm.SourceTextModule(data.source + '\nexport { lambda as __functionsBridgeLambda };\n',
                { context, identifier: data.name + '/index.mjs' });
            await module.link((specifier) => {
                if (specifier !== 'core-functions-toolbelt' && specifier !== 'lp-faas-toolbelt') {
                    throw new Error('Cannot find module \'' + specifier + '\': a lambda in functions-bridge has the Toolbelt only');
                }
                const names = Object.keys(toolbelt);
                return new vm.SyntheticModule(names, function () {
                    names.forEach((name) => this.setExport(name, toolbelt[name]));
                }, { context, identifier: specifier });
            });
            await module.evaluate({ timeout: budget() });
            lambda = module.namespace.__functionsBridgeLambda;
        } else {
            vm.runInContext(data.source, context, { filename: data.name + '/index.js', timeout: budget() });
            lambda = vm.runInContext('typeof lambda === \'function\' ? lambda : undefined', context);
        }
        if (typeof lambda !== 'function') {
            throw Object.assign(new Error('source ' + data.name + '/index.js defines no function lambda'), { refused: true });
        }
    }

    // what went wrong, and where in the lambda's source: nothing of the host's own frames
    function describeLoading(error) {
        if (!(error instanceof Error) && !(error && typeof error.message === 'string')) {
            return 'its top level threw ' + describe(error);
        }
        const stack = String(error.stack || '');
        const where = stack.split('\n').find((line) => line.indexOf(data.name + '/index.') >= 0);
        const at = where === undefined ? '' : ' (' + where.trim().replace(/^at\s+/, '').replace(/^.*\((.*)\)$/, '$1') + ')';
        return error.name + ': ' + error.message + at;
    }

    load().then(() => {
        loading.finished = true;
        parentPort.postMessage({ t: 'loaded', logs: loading.logs, dropped: loading.dropped });
    }, (error) => {
        loading.finished = true;
        let message = error && error.refused ? error.message : describeLoading(error);
        if (error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
            message = 'its top level ran for more than ' + data.timeoutMs + ' ms';
        }
        parentPort.postMessage({ t: 'loadFailed', code: error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' ? TIME_EXCEEDED : RUNTIME_EXCEPTION,
            message, logs: loading.logs, dropped: loading.dropped });
    });
}
