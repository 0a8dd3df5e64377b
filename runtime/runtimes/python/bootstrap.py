"""eddy's Python runtime client for the Lambda Runtime API.

eddy runs this file as `python3 bootstrap.py` in the function's code directory.
It loads the handler named by _HANDLER, then loops: fetch the next invocation,
call the handler, post its result or error. It follows the behaviour of AWS's
own client (awslambdaric): the same error documents, log formats and context
object. Standard library only; Python 3.9 or later.
"""

import decimal
import http.client
import importlib
import io
import json
import logging
import math
import os
import sys
import time
import traceback

_API_PREFIX = "/2018-06-01/runtime"
_ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"
_XRAY_CAUSE_MAX = 1024 * 1024
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"

# Text-mode error lines are joined with a carriage return so that one error is
# one line on stdout (one log event), and leading spaces of traceback lines
# become no-break spaces, as AWS's client writes them.
_ERROR_LINE_JOIN = "\r"
_ERROR_INDENT = "\u00a0"

_MARSHAL_ERROR = "Runtime.MarshalError"
_UNMARSHAL_ERROR = "Runtime.UnmarshalError"
_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
_HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
_IMPORT_ERROR = "Runtime.ImportModuleError"
_BUILTIN_CONFLICT = "Runtime.BuiltInModuleConflict"
_MALFORMED_HANDLER = "Runtime.MalformedHandlerName"
_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in "
    "the function code. However, in rare cases, a Lambda runtime update can "
    "cause unexpected function behavior. For functions using managed runtimes, "
    "runtime updates can be triggered by a function change, or can be applied "
    "automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with "
    "a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more "
    "information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

_request_id = None
_tenant_id = None


class FaultException(Exception):
    """A failure the runtime reports with its own Runtime.* error type."""

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


# ---------------------------------------------------------------------------
# JSON


def _ensure_ascii():
    # AWS's python3.12 and later runtimes write non-ASCII characters as they
    # are; earlier ones escape them.
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    prefix = "AWS_Lambda_python3."
    if env.startswith(prefix):
        try:
            return int(env[len(prefix):]) < 12
        except ValueError:
            pass
    return True


class _Encoder(json.JSONEncoder):
    def default(self, o):
        # AWS writes a Decimal as a JSON number (NaN as NaN).
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            if o == o.to_integral_value():
                return int(o)
            return float(o)
        return super().default(o)


_encoder = _Encoder(ensure_ascii=_ensure_ascii())
_to_json = _encoder.encode


# ---------------------------------------------------------------------------
# Runtime API client


class RuntimeClient(object):
    """One keep-alive HTTP/1.1 connection to the Runtime API."""

    def __init__(self, address):
        self.conn = http.client.HTTPConnection(address)

    def _fail(self, what, status, body):
        sys.stderr.write(
            "Request to Lambda Runtime '%s' endpoint failed. Reason: '%s'. "
            "Response body: '%s'\n" % (what, status, body.decode("utf-8", "replace"))
        )
        sys.exit(1)

    def _post(self, path, body, headers):
        try:
            self.conn.request("POST", path, body, headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            sys.stderr.write("Request to Lambda Runtime '%s' failed: %s\n" % (path, e))
            sys.exit(1)
        if resp.status != 202:
            self._fail(path, resp.status, data)

    def next(self):
        path = _API_PREFIX + "/invocation/next"
        try:
            self.conn.request("GET", path)
            resp = self.conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as e:
            sys.stderr.write("Request to Lambda Runtime '%s' failed: %s\n" % (path, e))
            sys.exit(1)
        if resp.status != 200:
            self._fail(path, resp.status, body)
        return body, resp.headers

    def post_response(self, request_id, body, content_type):
        self._post(
            _API_PREFIX + "/invocation/" + request_id + "/response",
            body,
            {"Content-Type": content_type},
        )

    def post_error(self, request_id, error_doc, xray_cause):
        headers = {
            "Content-Type": "application/json",
            _ERROR_TYPE_HEADER: error_doc["errorType"] or "Unhandled",
        }
        if xray_cause and len(xray_cause) < _XRAY_CAUSE_MAX:
            headers[_XRAY_CAUSE_HEADER] = xray_cause
        self._post(
            _API_PREFIX + "/invocation/" + request_id + "/error",
            _to_json(error_doc).encode("utf-8"),
            headers,
        )

    def post_init_error(self, error_doc):
        self._post(
            _API_PREFIX + "/init/error",
            _to_json(error_doc).encode("utf-8"),
            {
                "Content-Type": "application/json",
                _ERROR_TYPE_HEADER: error_doc["errorType"] or "Unhandled",
            },
        )


# ---------------------------------------------------------------------------
# Output and logging


class _Unbuffered(object):
    """Flushes after every write, for streams that would otherwise buffer."""

    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        n = self.stream.write(msg)
        self.stream.flush()
        return n

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


def _unbuffered(stream):
    # Under PYTHONUNBUFFERED the text layer writes straight through to the
    # unbuffered file, so every line reaches the pipe before the response is
    # posted; anything else is wrapped so that it does.
    if getattr(stream, "write_through", False) and isinstance(
        getattr(stream, "buffer", None), io.RawIOBase
    ):
        return stream
    return _Unbuffered(stream)


def _log(msg):
    sys.stdout.write(msg)


def _log_error_text(error_doc):
    description = "[ERROR]"
    error_type = error_doc.get("errorType")
    if error_type:
        description += " " + error_type
    message = error_doc.get("errorMessage")
    if message:
        if error_type:
            description += ":"
        description += " " + message
    lines = [description]
    stack = error_doc.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(_ERROR_INDENT * (len(line) - len(stripped)) + stripped)
    _log(_ERROR_LINE_JOIN.join(lines) + "\n")


def _log_error_json(error_doc):
    doc = {
        "timestamp": time.strftime(_DATETIME_FORMAT, time.gmtime()),
        "level": "ERROR",
    }
    doc.update(error_doc)
    _log(_to_json(doc) + "\n")


class _TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            _DATETIME_FORMAT,
        )

    def format(self, record):
        s = super().format(record)
        # logging appends exception text after the format's newline; end the
        # record with one so the next line starts on its own.
        if not s.endswith("\n"):
            s += "\n"
        return s


_JSON_RESERVED = frozenset(
    (
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename",
        "module", "exc_info", "exc_text", "stack_info", "lineno", "funcName",
        "created", "msecs", "relativeCreated", "thread", "threadName",
        "processName", "process", "aws_request_id", "tenant_id", "_frame_type",
        "taskName",
    )
)
_json_log_encoder = json.JSONEncoder(ensure_ascii=False, default=str)


class _JSONFormatter(logging.Formatter):
    def format(self, record):
        level = min(50, max(0, record.levelno)) // 10 * 10
        exc = record.exc_info
        created = time.gmtime(record.created)
        doc = {
            "timestamp": time.strftime(_DATETIME_FORMAT, created)
            + ".%03dZ" % int(record.msecs),
            "level": logging.getLevelName(level),
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno)
            if exc
            else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            doc["tenantId"] = record.tenant_id
        for key, value in record.__dict__.items():
            if key not in _JSON_RESERVED and key not in doc:
                doc[key] = value
        doc = {k: v for k, v in doc.items() if v is not None}
        return _json_log_encoder.encode(doc) + "\n"


class _RequestFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


class _Handler(logging.Handler):
    def emit(self, record):
        try:
            _log(self.format(record))
        except Exception:
            self.handleError(record)


def _setup_logging(json_format):
    logging.Formatter.converter = time.gmtime
    handler = _Handler()
    handler.setFormatter(_JSONFormatter() if json_format else _TextFormatter())
    handler.addFilter(_RequestFilter())
    root = logging.getLogger()
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        level = {"TRACE": "DEBUG"}.get(level.upper(), level.upper())
        if level in logging._nameToLevel:
            root.setLevel(level)
    root.addHandler(handler)


# ---------------------------------------------------------------------------
# Errors


def _make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb):
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    # Drop the runtime's own frames at the top of the stack.
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            return frames[i:]
    return frames


def _xray_cause(error_type, message, frames):
    stack = [{"label": f[2], "path": f[0], "line": f[1]} for f in frames]
    return _to_json(
        {
            "working_directory": os.getcwd(),
            "exceptions": [{"message": message, "type": error_type, "stack": stack}],
            "paths": list({f[0] for f in frames}),
        }
    )


def _fault_result(exc_info):
    etype, value, tb = exc_info
    frames = _user_frames(tb)
    return _make_error(str(value), etype.__name__, traceback.format_list(frames))


# ---------------------------------------------------------------------------
# Handler loading


def _get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(_MALFORMED_HANDLER, "Bad handler '%s': %s" % (handler, e))

    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                _BUILTIN_CONFLICT,
                "Cannot use built-in module %s as a handler module" % modname,
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            _IMPORT_ERROR, "Unable to import module '%s': %s" % (modname, e)
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            _SYNTAX_ERROR, "Syntax error in module '%s': %s" % (modname, e), trace
        )

    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(
            _HANDLER_NOT_FOUND, "Handler '%s' missing on module '%s'" % (fname, modname)
        )


# ---------------------------------------------------------------------------
# Context


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id,
            self.cognito_identity_pool_id,
        )


class Client(object):
    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]

    def __repr__(self):
        return (
            "Client([installation_id=%s,app_title=%s,app_version_name=%s,"
            "app_version_code=%s,app_package_name=%s])"
            % tuple(getattr(self, s) for s in self.__slots__)
        )


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return "ClientContext([custom=%s,env=%s,client=%s])" % (
            self.custom,
            self.env,
            self.client,
        )


def _obj_from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, d.get(field))
    return obj


_ENV = os.environ
_FUNCTION_NAME = _ENV.get("AWS_LAMBDA_FUNCTION_NAME")
_FUNCTION_VERSION = _ENV.get("AWS_LAMBDA_FUNCTION_VERSION")
_MEMORY_SIZE = _ENV.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
_LOG_GROUP = _ENV.get("AWS_LAMBDA_LOG_GROUP_NAME")
_LOG_STREAM = _ENV.get("AWS_LAMBDA_LOG_STREAM_NAME")


class LambdaContext(object):
    """The context object handed to the handler, as AWS's client builds it."""

    def __init__(
        self,
        invoke_id,
        client_context,
        cognito_identity,
        epoch_deadline_time_in_ms,
        invoked_function_arn=None,
        tenant_id=None,
    ):
        self.aws_request_id = invoke_id
        self.log_group_name = _LOG_GROUP
        self.log_stream_name = _LOG_STREAM
        self.function_name = _FUNCTION_NAME
        # A string, as in AWS's client: it comes straight from the environment.
        self.memory_limit_in_mb = _MEMORY_SIZE
        self.function_version = _FUNCTION_VERSION
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self._w3c_fields = {}
        if isinstance(client_context, dict) and "w3c" in client_context:
            raw = client_context.pop("w3c")
            if isinstance(raw, dict):
                for key in ("traceparent", "tracestate", "baggage"):
                    if isinstance(raw.get(key), str):
                        self._w3c_fields[key] = raw[key]

        self.client_context = _obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _obj_from_dict(Client, self.client_context.client)

        self.identity = _obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get(
                "cognitoIdentityPoolId"
            )

        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        delta = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta if delta > 0 else 0

    def w3c(self):
        return dict(self._w3c_fields)

    def log(self, msg):
        _log(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
            "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
            "invoked_function_arn=%s,client_context=%s,identity=%s,tenant_id=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
                self.tenant_id,
            )
        )


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(
            _CONTEXT_UNMARSHAL_ERROR, "Unable to parse %s JSON: %s" % (name, e)
        )


# ---------------------------------------------------------------------------
# The loop


def _handle(client, handler, log_error, body, headers):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    error = None
    xray = None
    try:
        client_context = headers.get("Lambda-Runtime-Client-Context")
        if client_context:
            client_context = _parse_json_header(client_context, "Client Context")
        else:
            client_context = None
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        if identity:
            identity = _parse_json_header(identity, "Cognito Identity")
        else:
            identity = None
        try:
            deadline = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        except ValueError:
            deadline = 0
        context = LambdaContext(
            request_id,
            client_context,
            identity,
            deadline,
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            headers.get("Lambda-Runtime-Aws-Tenant-Id"),
        )

        content_type = headers.get("Content-Type")
        if content_type and not content_type.startswith("application/json"):
            event = body
        elif not body:
            event = {}
        else:
            try:
                event = json.loads(body)
            except Exception as e:
                raise FaultException(
                    _UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % e
                )

        result = handler(event, context)

        if isinstance(result, bytes):
            payload, payload_type = result, "application/unknown"
        else:
            try:
                payload = _to_json(result).encode("utf-8")
            except Exception as e:
                raise FaultException(
                    _MARSHAL_ERROR, "Unable to marshal response: %s" % e
                )
            payload_type = "application/json"
    except FaultException as e:
        xray = _xray_cause("LambdaValidationError", e.msg, [])
        error = _make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception:
        etype, value, tb = sys.exc_info()
        frames = _user_frames(tb)
        xray = _xray_cause(etype.__name__, str(value), frames)
        error = _make_error(
            str(value), etype.__name__, traceback.format_list(frames), request_id
        )
        del tb

    if error is not None:
        log_error(error)
        client.post_error(request_id, error, xray)
    else:
        client.post_response(request_id, payload, payload_type)


def main():
    global _request_id, _tenant_id

    sys.stdout = _unbuffered(sys.stdout)
    sys.stderr = _unbuffered(sys.stderr)

    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
    log_error = _log_error_json if json_format else _log_error_text

    # The runtime's own directory must not shadow the function's modules.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != here]
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path.insert(0, task_root)

    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])

    try:
        _setup_logging(json_format)
        handler = _get_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        if isinstance(e, FaultException):
            error = _make_error(e.msg, e.exception_type, e.trace)
        else:
            error = _fault_result(sys.exc_info())
        logging.warning(_UNHANDLED_WARNING)
        log_error(error)
        client.post_init_error(error)
        sys.exit(1)

    environ = os.environ
    while True:
        body, headers = client.next()
        _request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        _tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id is not None:
            environ["_X_AMZN_TRACE_ID"] = trace_id
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]
        _handle(client, handler, log_error, body, headers)


if __name__ == "__main__":
    main()
