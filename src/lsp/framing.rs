//! A guard in front of the protocol library: it reads the client's
//! `Content-Length` frames itself and passes on well-formed JSON-RPC
//! messages unchanged. A malformed one (bad header, not JSON, not a
//! JSON-RPC message) would end the library's message stream, and with it
//! the server; instead it becomes a request of [`MALFORMED`], which the
//! server logs to the client and answers with the JSON-RPC error (parse
//! error, or invalid request with the message's id when it has one).

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The method a malformed message is turned into.
pub const MALFORMED: &str = "aclc/malformedMessage";

/// Messages longer than this are read and dropped, not held in memory.
const MAX_MESSAGE: u64 = 512 << 20;

/// JSON-RPC's code for a message that is not JSON.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC's code for JSON that is not a request, notification or response.
pub const INVALID_REQUEST: i64 = -32600;

/// What is wrong with a message body, if anything: code, id, message.
fn check(body: &[u8]) -> Option<(i64, Value, String)> {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some((
                PARSE_ERROR,
                Value::Null,
                format!("the message is not JSON: {e}"),
            ))
        }
    };
    let id = match v.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    let Some(obj) = v.as_object() else {
        return Some((
            INVALID_REQUEST,
            id,
            "the message is not a JSON object".into(),
        ));
    };
    if obj.get("jsonrpc") != Some(&json!("2.0")) {
        return Some((
            INVALID_REQUEST,
            id,
            "the message lacks `\"jsonrpc\": \"2.0\"`".into(),
        ));
    }
    let request = obj.get("method").is_some_and(Value::is_string);
    let response = obj.contains_key("id")
        && (obj.contains_key("result") || obj.contains_key("error"))
        && !obj.contains_key("method");
    let params_ok = obj
        .get("params")
        .is_none_or(|p| p.is_object() || p.is_array() || p.is_null());
    if !(request || response) || !params_ok {
        return Some((
            INVALID_REQUEST,
            id,
            "the message is neither a request, a notification nor a response".into(),
        ));
    }
    None
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn malformed(code: i64, id: Value, message: String) -> Vec<u8> {
    let msg = json!({"jsonrpc": "2.0", "id": id, "method": MALFORMED,
                     "params": {"code": code, "message": message}});
    frame(msg.to_string().as_bytes())
}

/// Copy frames from `input` to `output` until `input` ends, well-formed
/// messages as they are, malformed ones as [`MALFORMED`] requests.
pub async fn sanitize<I, O>(input: I, mut output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut r = BufReader::new(input);
    loop {
        let mut length: Option<u64> = None;
        let mut problem: Option<String> = None;
        let mut headers = 0;
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                if headers > 0 {
                    break;
                }
                continue;
            }
            headers += 1;
            match text.split_once(':') {
                Some((k, v)) if k.trim().eq_ignore_ascii_case("content-length") => {
                    match v.trim().parse() {
                        Ok(n) => length = Some(n),
                        Err(_) => problem = Some(format!("bad header `{text}`")),
                    }
                }
                Some(_) => {}
                None => {
                    problem.get_or_insert_with(|| format!("bad header `{text}`"));
                }
            }
        }
        let out = match length {
            Some(n) if n <= MAX_MESSAGE => {
                let Ok(size) = usize::try_from(n) else { return };
                let mut body = vec![0; size];
                if r.read_exact(&mut body).await.is_err() {
                    return;
                }
                match (problem, check(&body)) {
                    (Some(problem), _) => malformed(PARSE_ERROR, Value::Null, problem),
                    (None, None) => frame(&body),
                    (None, Some((code, id, message))) => malformed(code, id, message),
                }
            }
            Some(n) => {
                let mut sink = tokio::io::sink();
                if tokio::io::copy(&mut (&mut r).take(n), &mut sink)
                    .await
                    .is_err()
                {
                    return;
                }
                malformed(
                    INVALID_REQUEST,
                    Value::Null,
                    format!("a message of {n} bytes is more than aclc reads"),
                )
            }
            None => malformed(
                PARSE_ERROR,
                Value::Null,
                problem.unwrap_or_else(|| "a message without `Content-Length`".into()),
            ),
        };
        if output.write_all(&out).await.is_err() {
            return;
        }
    }
}
