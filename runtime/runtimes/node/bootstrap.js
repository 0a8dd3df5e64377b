/**
 * eddy's Node.js runtime client for the Lambda Runtime API.
 *
 * eddy runs this file as `node bootstrap.js` in the function's code directory.
 * It loads the handler named by _HANDLER (CommonJS or ES module), then loops:
 * fetch the next invocation, call the handler, post its result or error. It
 * follows the behaviour of AWS's own client (aws-lambda-nodejs-runtime-
 * interface-client, the one behind nodejs18.x to nodejs22.x): the same error
 * documents, console format, context object, callback semantics and
 * beforeExit handling. Standard library only; Node.js 18 or later.
 */

'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

const API_PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const XRAY_CAUSE_HEADER = 'Lambda-Runtime-Function-XRay-Error-Cause';
const XRAY_CAUSE_MAX = 1024 * 1024;

// ---------------------------------------------------------------------------
// Errors

function defineRuntimeError(name, init) {
  const cls = class extends Error {
    constructor(message, extra) {
      super(message);
      if (init) init(this, message, extra);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  cls.prototype.name = `Runtime.${name}`;
  return cls;
}

const ImportModuleError = defineRuntimeError('ImportModuleError');
const HandlerNotFound = defineRuntimeError('HandlerNotFound');
const MalformedHandlerName = defineRuntimeError('MalformedHandlerName');
const UserCodeSyntaxError = defineRuntimeError('UserCodeSyntaxError');
const MalformedStreamingHandler = defineRuntimeError('MalformedStreamingHandler');
const UnhandledPromiseRejection = defineRuntimeError(
  'UnhandledPromiseRejection',
  (self, reason, promise) => {
    self.reason = reason;
    self.promise = promise;
  },
);
const NodeJsExit = defineRuntimeError('NodeJsExit');
const NODEJS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';

function isErrorLike(obj) {
  return (
    obj &&
    typeof obj.name === 'string' &&
    typeof obj.message === 'string' &&
    typeof obj.stack === 'string' &&
    obj.name &&
    obj.message &&
    obj.stack
  );
}

function intoError(err) {
  return err instanceof Error ? err : new Error(err);
}

// toRapidResponse is the error document posted to the Runtime API.
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: error.stack.split('\n'),
      };
    }
    return {
      errorType: typeof error,
      errorMessage: error.toString(),
      trace: [],
    };
  } catch (_err) {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(value) {
  if (value instanceof Error) {
    const ret = Object.assign(
      { errorType: value.name, errorMessage: value.message, code: value.code },
      value,
    );
    if (typeof value.stack === 'string') {
      ret.stack = value.stack.split('\n');
    }
    return ret;
  }
  return value;
}

// toFormatted is the error as it is logged: a tab, then JSON.
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch (_err) {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

function xrayCause(err) {
  try {
    const stack = [];
    if (err && typeof err.stack === 'string') {
      const lines = err.stack.split('\n');
      lines.shift();
      for (const stackLine of lines) {
        let line = stackLine.trim().replace(/\(|\)/g, '');
        line = line.substring(line.indexOf(' ') + 1);
        const label =
          line.lastIndexOf(' ') >= 0 ? line.slice(0, line.lastIndexOf(' ')) : null;
        let file = !label ? line : line.slice(line.lastIndexOf(' ') + 1);
        file = file.split(':');
        stack.push({ path: file[0], line: parseInt(file[1]), label: label || 'anonymous' });
      }
    }
    return JSON.stringify({
      working_directory: process.cwd(),
      exceptions: [{ type: err && err.name, message: err && err.message, stack }],
      paths: Array.from(new Set(stack.map((e) => e.path))),
    });
  } catch (_err) {
    return '';
  }
}

// ---------------------------------------------------------------------------
// Console

const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID = Symbol.for('aws.lambda.runtime.tenantId');

const LEVELS = Object.freeze({
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
});

const jsonLogFormat = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';

// stdout is a pipe: on Linux its writes are synchronous, so every line is in
// the pipe before the invocation's response is posted.
function writeLine(line) {
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

function logText(level, message, ...params) {
  writeLine(
    `${new Date().toISOString()}\t${global[REQUEST_ID]}\t${level.name}\t${util.format(
      message,
      ...params,
    )}`,
  );
}

function jsonErrorReplacer(_k, value) {
  if (value instanceof Error) {
    return Object.assign(
      {
        errorType: (value.constructor && value.constructor.name) || 'UnknownError',
        errorMessage: value.message,
        stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
      },
      value,
    );
  }
  return value;
}

function logJSON(level, message, ...params) {
  const result = {
    timestamp: new Date().toISOString(),
    level: level.name,
    requestId: global[REQUEST_ID],
  };
  if (global[TENANT_ID] !== undefined && global[TENANT_ID] !== null) {
    result.tenantId = global[TENANT_ID];
  }
  let line;
  if (params.length === 0) {
    result.message = message;
    try {
      line = JSON.stringify(result, jsonErrorReplacer);
    } catch (_err) {
      result.message = util.format(result.message);
      line = JSON.stringify(result);
    }
  } else {
    result.message = util.format(message, ...params);
    for (const param of [message, ...params]) {
      if (param instanceof Error) {
        result.errorType = (param.constructor && param.constructor.name) || 'UnknownError';
        result.errorMessage = param.message;
        result.stackTrace = typeof param.stack === 'string' ? param.stack.split('\n') : [];
        break;
      }
    }
    line = JSON.stringify(result);
  }
  writeLine(line);
}

function patchConsole() {
  const log = jsonLogFormat ? logJSON : logText;
  const nop = () => {};
  const min =
    LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || LEVELS.TRACE;
  const at = (level) =>
    level.priority >= min.priority ? (msg, ...params) => log(level, msg, ...params) : nop;
  console.trace = at(LEVELS.TRACE);
  console.debug = at(LEVELS.DEBUG);
  console.info = at(LEVELS.INFO);
  console.log = console.info;
  console.warn = at(LEVELS.WARN);
  console.error = at(LEVELS.ERROR);
  console.fatal = (msg, ...params) => log(LEVELS.FATAL, msg, ...params);
}

function logError(msg, err) {
  if (jsonLogFormat) {
    console.error(intoError(err));
  } else {
    console.error(msg, toFormatted(intoError(err)));
  }
}

// ---------------------------------------------------------------------------
// Runtime API client: one keep-alive connection.

const apiAddress = process.env.AWS_LAMBDA_RUNTIME_API || '';
const apiHost = apiAddress.slice(0, apiAddress.lastIndexOf(':')).replace(/^\[|\]$/g, '');
const apiPort = parseInt(apiAddress.slice(apiAddress.lastIndexOf(':') + 1), 10);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function fatal(what, detail) {
  process.stderr.write(`Request to Lambda Runtime '${what}' failed: ${detail}\n`);
  process.exit(1);
}

function apiRequest(method, urlPath, headers, body, want, callback) {
  const req = http.request(
    { host: apiHost, port: apiPort, path: urlPath, method, headers, agent },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        if (res.statusCode !== want) {
          fatal(urlPath, `status ${res.statusCode}: ${data.toString()}`);
          return;
        }
        callback(res, data);
      });
      res.on('error', (e) => fatal(urlPath, e.message));
    },
  );
  req.on('error', (e) => fatal(urlPath, e.message));
  req.end(body);
}

function nextInvocation(callback) {
  apiRequest('GET', `${API_PREFIX}/invocation/next`, undefined, undefined, 200, (res, data) =>
    callback(res.headers, data.toString('utf8')),
  );
}

function post(urlPath, body, headers, callback) {
  headers['Content-Length'] = Buffer.byteLength(body);
  apiRequest('POST', urlPath, headers, body, 202, () => callback());
}

function serialize(value) {
  const s = JSON.stringify(value === undefined ? null : value);
  return s === undefined ? 'null' : s;
}

function postResponse(id, result, callback) {
  let body;
  try {
    body = serialize(result);
  } catch (_err) {
    throw new Error('Unable to stringify response body');
  }
  post(
    `${API_PREFIX}/invocation/${encodeURIComponent(id)}/response`,
    body,
    { 'Content-Type': 'application/json' },
    callback,
  );
}

function postRawResponse(id, body, contentType, callback) {
  post(
    `${API_PREFIX}/invocation/${encodeURIComponent(id)}/response`,
    body,
    { 'Content-Type': contentType },
    callback,
  );
}

function postError(urlPath, error, callback) {
  const doc = toRapidResponse(error);
  const headers = {
    'Content-Type': 'application/json',
    [ERROR_TYPE_HEADER]: doc.errorType,
  };
  const cause = xrayCause(error);
  if (cause && cause.length < XRAY_CAUSE_MAX) {
    headers[XRAY_CAUSE_HEADER] = cause;
  }
  post(urlPath, serialize(doc), headers, callback);
}

function postInvocationError(error, id, callback) {
  postError(`${API_PREFIX}/invocation/${encodeURIComponent(id)}/error`, error, callback);
}

function postInitError(error, callback) {
  postError(`${API_PREFIX}/init/error`, error, callback);
}

// ---------------------------------------------------------------------------
// beforeExit: one listener, replaced per invocation.

const BEFORE_EXIT = Symbol.for('aws.lambda.beforeExit');
const noop = () => {};
const beforeExit = {
  invoke: () => global[BEFORE_EXIT](),
  reset: () => (global[BEFORE_EXIT] = noop),
  set: (listener) => (global[BEFORE_EXIT] = listener),
};

// ---------------------------------------------------------------------------
// Handler loading

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';

function tryRequireFile(file, ext) {
  const p = file + (ext || '');
  if (!fs.existsSync(p)) return undefined;
  try {
    return require(p);
  } catch (e) {
    // An ES module that require cannot load synchronously.
    if (e && (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
      return import(pathToFileURL(p).href);
    }
    throw e;
  }
}

async function tryImport(file, ext) {
  const p = file + (ext || '');
  if (!fs.existsSync(p)) return undefined;
  return await import(pathToFileURL(p).href);
}

function hasPackageJsonTypeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const pj = path.join(folder, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(pj));
      if (pkg) return pkg.type === 'module';
    } catch (e) {
      console.warn(
        `${pj} cannot be read, it will be ignored for ES module detection purposes.`,
        e,
      );
      return false;
    }
  }
  if (folder === '/') return false;
  return hasPackageJsonTypeModule(path.resolve(folder, '..'));
}

function supportsTypeScript() {
  const major = parseInt(process.versions.node.split('.')[0], 10);
  return !Number.isNaN(major) && major >= 24;
}

async function tryRequire(appRoot, moduleRoot, module) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, module);
  const ts = supportsTypeScript();

  const extensionless = await tryRequireFile(lambdaStylePath);
  if (extensionless) return extensionless;

  const pjHasModule = hasPackageJsonTypeModule(path.resolve(path.dirname(lambdaStylePath)));
  if (!pjHasModule) {
    const loaded = await tryRequireFile(lambdaStylePath, '.js');
    if (loaded) return loaded;
  }

  const loaded =
    (pjHasModule && (await tryImport(lambdaStylePath, '.js'))) ||
    (await tryImport(lambdaStylePath, '.mjs')) ||
    (await tryRequireFile(lambdaStylePath, '.cjs')) ||
    (ts && !pjHasModule && (await tryRequireFile(lambdaStylePath, '.ts'))) ||
    (ts && pjHasModule && (await tryImport(lambdaStylePath, '.ts'))) ||
    (ts && (await tryImport(lambdaStylePath, '.mts'))) ||
    (ts && (await tryRequireFile(lambdaStylePath, '.cts')));
  if (loaded) return loaded;

  // require() resolves relative to this file, not to the code directory.
  const nodeStylePath = require.resolve(module, { paths: [appRoot, moduleRoot] });
  return require(nodeStylePath);
}

async function loadUserApp(appRoot, moduleRoot, module) {
  if (!(process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA === '1' ||
    process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA === 'true')) {
    globalThis.awslambda = {
      streamifyResponse: (handler, options) => {
        handler[HANDLER_STREAMING] = STREAM_RESPONSE;
        if (options && typeof options.highWaterMark === 'number') {
          handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
        }
        return handler;
      },
      HttpResponseStream,
    };
  }
  try {
    return await tryRequire(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new UserCodeSyntaxError(e);
    } else if (e && e.code === 'MODULE_NOT_FOUND') {
      throw new ImportModuleError(e);
    }
    throw e;
  }
}

async function loadHandler(appRoot, fullHandlerString) {
  if (fullHandlerString.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const handlerString = path.basename(fullHandlerString);
  const moduleRoot = fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match || match.length !== 3) {
    throw new MalformedHandlerName('Bad handler');
  }
  const [, module, handlerPath] = match;

  const userApp = await loadUserApp(appRoot, moduleRoot, module);
  const handlerFunc = handlerPath.split('.').reduce((nested, key) => nested && nested[key], userApp);
  if (!handlerFunc) {
    throw new HandlerNotFound(`${fullHandlerString} is undefined or not exported`);
  }
  if (typeof handlerFunc !== 'function') {
    throw new HandlerNotFound(`${fullHandlerString} is not a function`);
  }
  return handlerFunc;
}

function isAsync(fn) {
  try {
    return fn.constructor && fn.constructor.name === 'AsyncFunction';
  } catch (_err) {
    return false;
  }
}

function streamingMode(fn) {
  const mode = fn[HANDLER_STREAMING];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === STREAM_RESPONSE) return STREAM_RESPONSE;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

// ---------------------------------------------------------------------------
// Response streaming, buffered: the whole stream is posted as one response.

const { Writable } = require('stream');

class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType('application/vnd.awslambda.http-integration-response');
    underlyingStream.write(JSON.stringify(prelude));
    underlyingStream.write(Buffer.alloc(8));
    return underlyingStream;
  }
}

function createBufferedStream(options) {
  const chunks = [];
  let contentType = 'application/octet-stream';
  const stream = new Writable({
    highWaterMark: options && options.highWaterMark,
    write(chunk, encoding, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
      cb();
    },
  });
  stream.setContentType = (type) => {
    contentType = type;
  };
  const finished = new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  return { stream, finished, body: () => Buffer.concat(chunks), contentType: () => contentType };
}

// ---------------------------------------------------------------------------
// Invocation

const env = process.env;

function buildContext(headers, callbackContext) {
  if (headers['lambda-runtime-trace-id']) {
    env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  } else {
    delete env._X_AMZN_TRACE_ID;
  }
  const deadline = headers['lambda-runtime-deadline-ms'];
  return Object.assign(callbackContext, {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  });
}

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

function parseEvent(body) {
  return body === '' ? {} : JSON.parse(body);
}

// buildCallbackContext returns the callback, the context's succeed/fail/done
// and callbackWaitsForEmptyEventLoop, and a function marking the invocation
// complete, with AWS's semantics: the first call wins, and a successful
// callback waits for the event loop to drain unless told otherwise.
function buildCallbackContext(id, scheduleNext) {
  const reportError = (err, cb) => {
    logError('Invoke Error', err);
    postInvocationError(err, id, cb);
  };

  let isCompleteInvoked = false;
  const complete = (result, cb) => {
    if (isCompleteInvoked) {
      console.error(
        'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
      );
      return;
    }
    isCompleteInvoked = true;
    postResponse(id, result, cb);
  };

  let waitForEmptyEventLoop = true;

  const callback = (err, result) => {
    beforeExit.reset();
    if (err !== undefined && err !== null) {
      reportError(err, scheduleNext);
    } else if (!waitForEmptyEventLoop) {
      complete(result, scheduleNext);
    } else {
      beforeExit.set(() => {
        setImmediate(() => complete(result, scheduleNext));
      });
    }
  };

  const done = (err, result) => {
    beforeExit.reset();
    if (err !== undefined && err !== null) {
      reportError(err, scheduleNext);
    } else {
      complete(result, scheduleNext);
    }
  };

  let finished = false;
  const once = (fn) =>
    function () {
      if (!finished) {
        fn.apply(null, arguments);
        finished = true;
      }
    };

  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once((result) => done(null, result)),
    fail: once((err) => (err === undefined || err === null ? done('handled') : done(err, null))),
    done: once(done),
  };

  return [once(callback), context, () => (isCompleteInvoked = true)];
}

function isPromise(obj) {
  return obj && obj.then && typeof obj.then === 'function';
}

class Runtime {
  constructor(handler, errorCallbacks) {
    this.handler = handler;
    this.errorCallbacks = errorCallbacks;
    this.isAsync = isAsync(handler);
    this.streaming = streamingMode(handler);
    this.highWaterMark = handler[HANDLER_HIGHWATERMARK];
    this.scheduleNext = this.scheduleIteration.bind(this);
  }

  scheduleIteration() {
    setImmediate(() => nextInvocation((headers, body) => this.handleOnce(headers, body)));
  }

  setErrorCallbacks(id) {
    this.errorCallbacks.uncaughtException = (error) => {
      postInvocationError(error, id, () => process.exit(129));
    };
    this.errorCallbacks.unhandledRejection = (error) => {
      postInvocationError(error, id, () => process.exit(128));
    };
  }

  handleOnce(headers, body) {
    const id = headers['lambda-runtime-aws-request-id'];
    global[REQUEST_ID] = id;
    global[TENANT_ID] = headers['lambda-runtime-aws-tenant-id'];
    if (this.streaming) {
      this.handleStreaming(id, headers, body);
      return;
    }

    const [callback, callbackContext, markCompleted] = buildCallbackContext(id, this.scheduleNext);
    try {
      this.setErrorCallbacks(id);
      this.setDefaultExitListener(id, markCompleted);
      const result = this.handler(parseEvent(body), buildContext(headers, callbackContext), callback);
      if (isPromise(result)) {
        result.then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  // setDefaultExitListener covers a handler that never reports: an async one
  // fails with Runtime.NodeJsExit, any other succeeds with null.
  setDefaultExitListener(id, markCompleted) {
    beforeExit.set(() => {
      markCompleted();
      if (this.isAsync) {
        const err = new NodeJsExit(NODEJS_EXIT_MESSAGE);
        logError('Invoke Error', err);
        postInvocationError(err, id, this.scheduleNext);
      } else {
        postResponse(id, null, this.scheduleNext);
      }
    });
  }

  async handleStreaming(id, headers, body) {
    const out = createBufferedStream(
      this.highWaterMark ? { highWaterMark: this.highWaterMark } : undefined,
    );
    let failed = false;
    const fail = (err) => {
      if (failed) return;
      failed = true;
      logError('Invoke Error', err);
      postInvocationError(err, id, this.scheduleNext);
    };
    try {
      this.setErrorCallbacks(id);
      beforeExit.set(() => this.scheduleNext());
      const context = buildContext(headers, {});
      const pending = this.handler(parseEvent(body), out.stream, context);
      if (!isPromise(pending)) {
        fail('Streaming does not support non-async handlers.');
        return;
      }
      const result = await pending;
      if (typeof result !== 'undefined') {
        console.warn('Streaming handlers ignore return values.');
      }
      if (!out.stream.writableFinished) {
        await Promise.race([
          out.finished,
          new Promise((resolve) => setImmediate(resolve)),
        ]);
      }
      if (!out.stream.writableFinished) {
        fail('Response stream is not finished.');
        return;
      }
      beforeExit.reset();
      postRawResponse(id, out.body(), out.contentType(), this.scheduleNext);
    } catch (err) {
      fail(err);
    }
  }
}

// ---------------------------------------------------------------------------
// Start

function main() {
  patchConsole();

  const errorCallbacks = {
    uncaughtException: (error) => postInitError(error, () => process.exit(129)),
    unhandledRejection: (error) => postInitError(error, () => process.exit(128)),
  };

  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });

  beforeExit.reset();
  process.on('beforeExit', beforeExit.invoke);

  const appRoot = env.LAMBDA_TASK_ROOT || process.cwd();
  loadHandler(appRoot, env._HANDLER || '').then(
    (handler) => new Runtime(handler, errorCallbacks).scheduleIteration(),
    (err) => {
      // As in AWS's client, a load failure surfaces as an uncaught exception.
      logError('Uncaught Exception', err);
      errorCallbacks.uncaughtException(err);
    },
  );
}

main();
