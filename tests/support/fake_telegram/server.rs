//! The HTTP side: parsing requests, answering like Telegram, long polling, downloads.

use super::*;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, HttpBody};

pub(super) struct Inner {
    pub(super) state: Mutex<State>,
    /// Woken when an update is pushed or a poll is superseded.
    pub(super) updates_notify: Notify,
    /// Woken on every state change.
    pub(super) changed: Notify,
    pub(super) addr: SocketAddr,
    pub(super) started: Instant,
}

pub(super) struct ServerGuard(tokio::task::AbortHandle);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Debug)]
pub(super) struct ApiErr {
    pub(super) status: u16,
    pub(super) description: String,
    pub(super) retry_after: Option<u32>,
    pub(super) rate_limited: bool,
}

impl ApiErr {
    pub(super) fn new(status: u16, description: impl Into<String>) -> Self {
        ApiErr { status, description: description.into(), retry_after: None, rate_limited: false }
    }

    pub(super) fn bad(description: impl Into<String>) -> Self {
        Self::new(400, description)
    }

    pub(super) fn chat_not_found() -> Self {
        Self::bad("Bad Request: chat not found")
    }
}

pub(super) type ApiResult = Result<Value, ApiErr>;

pub(super) struct Upload {
    pub(super) file_name: Option<String>,
    pub(super) content_type: Option<String>,
    pub(super) bytes: Vec<u8>,
}

pub(super) struct Req {
    pub(super) body: Map<String, Value>,
    pub(super) uploads: HashMap<String, Upload>,
}

impl Req {
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.body.get(key).filter(|v| !v.is_null())
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(super) fn str(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        }
    }

    /// `Ok(None)` when absent, `Err(())` when present but not an integer.
    pub(super) fn i64(&self, key: &str) -> Result<Option<i64>, ()> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(()),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ()),
            Some(_) => Err(()),
        }
    }

    fn int_or(&self, key: &str, default: i64) -> Result<i64, ApiErr> {
        self.i64(key)
            .map(|v| v.unwrap_or(default))
            .map_err(|_| ApiErr::bad(format!("Bad Request: invalid {key} specified")))
    }

    pub(super) fn bool(&self, key: &str) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// A JSON-serialised parameter (either real JSON or a JSON string).
    pub(super) fn json(&self, key: &str) -> Option<Value> {
        match self.get(key)? {
            Value::String(s) => Some(serde_json::from_str(s).unwrap_or(Value::String(s.clone()))),
            v => Some(v.clone()),
        }
    }
}

fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_urlencoded(s: &str, into: &mut Map<String, Value>) {
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        into.insert(percent_decode(k, true), Value::String(percent_decode(v, true)));
    }
}

fn find_bytes(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn header_param(header: &str, name: &str) -> Option<String> {
    for part in header.split(';').skip(1) {
        let part = part.trim();
        if let Some((k, v)) = part.split_once('=')
            && k.trim().eq_ignore_ascii_case(name)
        {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

pub(super) type Uploads = HashMap<String, Upload>;

fn parse_multipart(body: &[u8], boundary: &str) -> Result<(Map<String, Value>, Uploads), String> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut fields = Map::new();
    let mut uploads = HashMap::new();
    let mut pos = find_bytes(body, delim, 0).ok_or("no multipart boundary")? + delim.len();
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        if body[pos..].starts_with(b"\r\n") {
            pos += 2;
        }
        let next = find_bytes(body, delim, pos).ok_or("unterminated multipart body")?;
        let mut part = &body[pos..next];
        if part.ends_with(b"\r\n") {
            part = &part[..part.len() - 2];
        }
        let head_end = find_bytes(part, b"\r\n\r\n", 0).ok_or("multipart part without headers")?;
        let head = String::from_utf8_lossy(&part[..head_end]).into_owned();
        let content = part[head_end + 4..].to_vec();
        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else { continue };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = header_param(v, "name");
                file_name = header_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
        let name = name.ok_or("multipart part without a name")?;
        if file_name.is_some() {
            uploads.insert(name, Upload { file_name, content_type, bytes: content });
        } else {
            let text = String::from_utf8_lossy(&content).into_owned();
            fields.insert(name, Value::String(text));
        }
        pos = next + delim.len();
        if pos >= body.len() {
            break;
        }
    }
    Ok((fields, uploads))
}

fn parse_request(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Req, String> {
    let mut fields = Map::new();
    let mut uploads = HashMap::new();
    if let Some(q) = uri.query() {
        parse_urlencoded(q, &mut fields);
    }
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let lower = ctype.to_ascii_lowercase();
    if *method == Method::GET && body.is_empty() {
        // query only
    } else if lower.starts_with("multipart/form-data") {
        let boundary = header_param(&ctype, "boundary").ok_or("multipart without boundary")?;
        let (f, u) = parse_multipart(body, &boundary)?;
        fields.extend(f);
        uploads = u;
    } else if lower.starts_with("application/x-www-form-urlencoded") {
        parse_urlencoded(&String::from_utf8_lossy(body), &mut fields);
    } else if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => fields.extend(m),
            Ok(_) => return Err("request body must be a JSON object".into()),
            Err(e) => return Err(format!("can't parse JSON: {e}")),
        }
    }
    // Telegram accepts JSON-serialised strings for structured parameters.
    for key in JSON_FIELDS {
        if let Some(Value::String(s)) = fields.get(*key) {
            let t = s.trim_start();
            if (t.starts_with('{') || t.starts_with('['))
                && let Ok(v) = serde_json::from_str::<Value>(s)
            {
                fields.insert((*key).to_string(), v);
            }
        }
    }
    Ok(Req { body: fields, uploads })
}

fn json_response(status: u16, body: &Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (code, body.to_string()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

fn error_json(err: &ApiErr) -> Value {
    let mut v = json!({"ok": false, "error_code": err.status, "description": err.description});
    if let Some(n) = err.retry_after {
        v["parameters"] = json!({ "retry_after": n });
    }
    v
}

pub(super) const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n";

impl Inner {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes an injected call that got no Telegram answer.
    fn record(&self, call: Call) {
        self.lock().calls.push(call);
        self.changed.notify_waiters();
    }

    fn finish(&self, method: &str, body: Value, at: Duration, result: ApiResult, injected: bool) -> Response {
        let (status, response) = match &result {
            Ok(v) => (200, json!({"ok": true, "result": v})),
            Err(e) => (e.status, error_json(e)),
        };
        {
            let mut st = self.lock();
            let call = Call {
                method: method.to_string(),
                body,
                status,
                ok: result.is_ok(),
                description: result.as_ref().err().map(|e| e.description.clone()),
                response: response.clone(),
                at,
                injected,
            };
            if let Err(e) = &result {
                if e.rate_limited {
                    st.too_many += 1;
                } else if !injected {
                    st.rejections.push(call.clone());
                }
            }
            st.calls.push(call);
        }
        self.changed.notify_waiters();
        json_response(status, &response)
    }

    async fn get_updates(&self, req: &Req) -> ApiResult {
        let offset = req.int_or("offset", 0)?;
        let limit = req.int_or("limit", 100)?.clamp(1, 100) as usize;
        let timeout = req.int_or("timeout", 0)?.max(0) as u64;
        let allowed = match req.json("allowed_updates") {
            Some(Value::Array(a)) => Some(a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect::<Vec<_>>()),
            _ => None,
        };
        let generation = {
            let mut st = self.lock();
            if st.webhooks.hook.is_some() {
                return Err(ApiErr::new(409, WEBHOOK_ACTIVE));
            }
            st.confirm(offset);
            if let Some(a) = allowed {
                st.allowed_updates = if a.is_empty() { None } else { Some(a) };
            }
            st.poll_generation += 1;
            st.poll_generation
        };
        self.updates_notify.notify_waiters();
        self.changed.notify_waiters();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
        loop {
            let notified = self.updates_notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let dropped = {
                let mut st = self.lock();
                if st.poll_generation != generation {
                    return Err(ApiErr::new(409, CONFLICT));
                }
                let dropped = st.drop_disallowed();
                if !st.updates.is_empty() || tokio::time::Instant::now() >= deadline {
                    let list: Vec<Value> = st.updates.iter().take(limit).map(|(_, u)| u.clone()).collect();
                    drop(st);
                    if dropped {
                        self.changed.notify_waiters();
                    }
                    return Ok(Value::Array(list));
                }
                dropped
            };
            if dropped {
                self.changed.notify_waiters();
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    async fn execute(self: Arc<Self>, method: String, req: Req, at: Duration) -> Response {
        let body = Value::Object(req.body.clone());
        let result = if method == "getupdates" {
            self.get_updates(&req).await
        } else {
            let now = Instant::now();
            self.lock().dispatch(&method, &req, now)
        };
        self.finish(&method, body, at, result, false)
    }

    fn serve_file(&self, rest: &str, at: Duration) -> Response {
        let (token, path) = rest.split_once('/').unwrap_or((rest, ""));
        let found = if token == format!("bot{TOKEN}") {
            let st = self.lock();
            st.file_paths.get(path).and_then(|id| st.files.get(id)).map(|f| f.bytes.clone())
        } else {
            None
        };
        let status = if found.is_some() { 200 } else { 404 };
        {
            let mut st = self.lock();
            st.calls.push(Call {
                method: "download".into(),
                body: json!({ "file_path": path }),
                status,
                ok: found.is_some(),
                description: found.is_none().then(|| "Not Found".to_string()),
                response: Value::Null,
                at,
                injected: false,
            });
        }
        self.changed.notify_waiters();
        match found {
            Some(bytes) => {
                let mut resp = (StatusCode::OK, bytes.as_ref().clone()).into_response();
                resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
                resp
            }
            None => json_response(404, &json!({"ok": false, "error_code": 404, "description": "Not Found"})),
        }
    }
}

pub(super) async fn handle(
    AxState(inner): AxState<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = inner.started.elapsed();
    let path = percent_decode(uri.path(), false);
    let path = path.trim_start_matches('/');
    if let Some(rest) = path.strip_prefix("file/") {
        return inner.serve_file(rest, at);
    }
    let (token_part, api_method) = path.split_once('/').unwrap_or((path, ""));
    let api_method = api_method.trim_end_matches('/').to_ascii_lowercase();
    let req = match parse_request(&method, &uri, &headers, &body) {
        Ok(r) => r,
        Err(e) => {
            let err = ApiErr::bad(format!("Bad Request: {e}"));
            return inner.finish(&api_method, Value::Null, at, Err(err), false);
        }
    };
    let body_json = Value::Object(req.body.clone());
    if token_part.strip_prefix("bot") != Some(TOKEN) {
        return inner.finish(&api_method, body_json, at, Err(ApiErr::new(401, "Unauthorized")), false);
    }
    if api_method.is_empty() || api_method.contains('/') {
        return inner.finish(&api_method, body_json, at, Err(ApiErr::new(404, "Not Found")), false);
    }
    let chat = req.i64("chat_id").ok().flatten();
    let failure = inner.lock().take_failure(&api_method, chat);
    match failure {
        None => inner.clone().execute(api_method, req, at).await,
        Some(Failure::Delay(d)) => {
            let task = tokio::spawn(async move {
                tokio::time::sleep(d).await;
                inner.execute(api_method, req, at).await
            });
            task.await.unwrap_or_else(|_| {
                json_response(500, &json!({"ok": false, "error_code": 500, "description": "Internal Server Error"}))
            })
        }
        Some(Failure::Disconnect) => {
            inner.record(Call {
                method: api_method,
                body: body_json,
                status: 0,
                ok: false,
                description: Some("connection dropped".into()),
                response: Value::Null,
                at,
                injected: true,
            });
            Response::new(Body::new(Dropped))
        }
        Some(Failure::TooManyRequests { retry_after }) => {
            let err = ApiErr {
                status: 429,
                description: format!("Too Many Requests: retry after {retry_after}"),
                retry_after: Some(retry_after),
                rate_limited: false,
            };
            inner.finish(&api_method, body_json, at, Err(err), true)
        }
        Some(Failure::Api(code, description)) => {
            inner.finish(&api_method, body_json, at, Err(ApiErr::new(code, description)), true)
        }
        Some(Failure::ServerError(code)) => {
            if code == 502 {
                inner.record(Call {
                    method: api_method,
                    body: body_json,
                    status: 502,
                    ok: false,
                    description: Some("Bad Gateway".into()),
                    response: Value::Null,
                    at,
                    injected: true,
                });
                let mut resp = (StatusCode::BAD_GATEWAY, NGINX_502).into_response();
                resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
                resp
            } else {
                inner.finish(&api_method, body_json, at, Err(ApiErr::new(code, "Internal Server Error")), true)
            }
        }
    }
}

/// An answer's body that fails as soon as it is read: hyper then drops the
/// connection, as a network cut mid-answer would.
struct Dropped;

impl HttpBody for Dropped {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        let dropped = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fake_telegram: connection dropped");
        Poll::Ready(Some(Err(dropped)))
    }
}

/// Serves a fresh fake on 127.0.0.1:0 on the current tokio runtime, until the
/// guard is dropped.
pub(super) async fn spawn(limits: Limits) -> (Arc<Inner>, ServerGuard) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("fake_telegram: bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("fake_telegram: local_addr");
    let started = Instant::now();
    let inner = Arc::new(Inner {
        state: Mutex::new(State::new(limits, started)),
        updates_notify: Notify::new(),
        changed: Notify::new(),
        addr,
        started,
    });
    let app = Router::new().fallback(handle).layer(DefaultBodyLimit::disable()).with_state(inner.clone());
    let deliveries = inner.clone().deliver_to_webhook();
    let task = tokio::spawn(async move {
        // One task, so that dropping the fake stops its deliveries too.
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            () = deliveries => {}
        }
    });
    (inner, ServerGuard(task.abort_handle()))
}
