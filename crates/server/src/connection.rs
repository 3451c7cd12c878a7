//! One client connection: read, decode, execute, reply.
//!
//! The loop reads whatever the socket has into a buffer, decodes every
//! complete request in it *without* holding the state lock, then takes the
//! lock once and executes the whole batch, writing replies into the
//! client's output buffer, and finally writes that buffer out with the lock
//! released. A pipelining client therefore pays for one lock round trip and
//! one write per read, not per command, and decoding happens in parallel on
//! all cores.
//!
//! Two details keep Redis's semantics exact:
//!
//! - A client that still has to authenticate is decoded one request at a
//!   time, because its limits (Redis refuses large requests before AUTH)
//!   change as soon as an AUTH in the same read succeeds.
//! - A protocol error stops decoding; the requests before it run, then the
//!   error is sent and the connection closed, as Redis does.
//!
//! Limits enforced here: `client-query-buffer-limit` (the connection is
//! closed when the unparsed input grows past it), the output buffer hard
//! limit for normal clients (`client-output-buffer-limit normal`), and the
//! idle `timeout`.

use crate::commands::{Ctx, Session};
use crate::dispatch::dispatch;
use crate::state::{ClientInfo, Shared, State};
use bytes::{Bytes, BytesMut};
use hematite_resp::{Limits, Parser, ReplyBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// Where a connection comes from.
pub struct Peer {
    /// Peer address text for CLIENT LIST.
    pub addr: String,
    /// Local address text.
    pub laddr: String,
    /// Socket file descriptor.
    pub fd: i64,
    /// Unix socket connection.
    pub unix: bool,
}

const READ_CHUNK: usize = 16 * 1024;

/// Serves one client until it disconnects, is killed, or the server stops.
pub async fn serve<S>(shared: Arc<Shared>, mut stream: S, peer: Peer)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let id = shared.next_client_id.fetch_add(1, Ordering::Relaxed);
    let killed = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(Notify::new());
    let now = crate::clock::now_ms();
    let mut sess = Session::new(id, !shared.auth_required.load(Ordering::Relaxed));
    // The client enters the registry now, or with its first batch when a
    // busy script holds the lock (its requests are answered meanwhile).
    let mut pending = Some(ClientInfo {
        id,
        addr: peer.addr.clone(),
        laddr: peer.laddr.clone(),
        fd: peer.fd,
        name: None,
        lib_name: None,
        lib_ver: None,
        created_ms: now,
        last_interaction_ms: now,
        db: 0,
        last_cmd: None,
        resp: 2,
        qbuf: 0,
        qbuf_cap: 0,
        omem: 0,
        unix: peer.unix,
        no_evict: false,
        user: "default".into(),
        killed: killed.clone(),
        wake: wake.clone(),
    });
    if let Some(mut st) = shared.state.try_lock_for(Duration::from_millis(10)) {
        register(&mut st, id, &mut pending);
    }

    let mut rbuf = BytesMut::with_capacity(READ_CHUNK);
    let mut out = ReplyBuf::new();
    let mut parser = Parser::new();
    let mut batch: Vec<Vec<Bytes>> = Vec::new();

    'conn: loop {
        if rbuf.capacity() - rbuf.len() < 1024 {
            rbuf.reserve(READ_CHUNK);
        }
        let timeout_secs = shared.timeout_secs.load(Ordering::Relaxed);
        let read = async {
            if timeout_secs > 0 {
                match tokio::time::timeout(Duration::from_secs(timeout_secs), stream.read_buf(&mut rbuf)).await {
                    Ok(r) => Some(r),
                    Err(_) => None,
                }
            } else {
                Some(stream.read_buf(&mut rbuf).await)
            }
        };
        let n = tokio::select! {
            biased;
            _ = wake.notified() => {
                if killed.load(Ordering::SeqCst) { break 'conn; }
                continue 'conn;
            }
            r = read => match r {
                None => {
                    tracing::debug!("Closing idle client");
                    break 'conn;
                }
                Some(Ok(0)) | Some(Err(_)) => break 'conn,
                Some(Ok(n)) => n,
            },
        };
        shared.net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
        shared.reads_processed.fetch_add(1, Ordering::Relaxed);
        if killed.load(Ordering::SeqCst) {
            break;
        }

        // Decode and run everything complete in the buffer.
        let mut close = false;
        let mut proto_error = None;
        loop {
            let auth_pending = !sess.authenticated && shared.auth_required.load(Ordering::Relaxed);
            let limits = Limits { max_bulk_len: shared.proto_max_bulk_len.load(Ordering::Relaxed), auth_required: auth_pending };
            batch.clear();
            loop {
                match parser.parse(&mut rbuf, &limits) {
                    Ok(Some(argv)) => {
                        batch.push(argv);
                        if auth_pending {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        proto_error = Some(e);
                        break;
                    }
                }
            }
            if batch.is_empty() && proto_error.is_none() {
                break;
            }
            {
                // Like `shared.state.lock()`, but answers -BUSY / SCRIPT KILL
                // while a script holds the lock; None: all answered.
                let busy_ok = !auth_pending && proto_error.is_none();
                let Some(mut guard) = crate::scripting::busy::lock(&shared, &mut batch, &mut out, busy_ok).await else { break };
                let st = &mut *guard;
                register(st, id, &mut pending);
                let now_ms = crate::clock::now_ms();
                for argv in batch.drain(..) {
                    let mut ctx = Ctx { st, sess: &mut sess, out: &mut out, now_ms, cmd: None, shared: &shared };
                    dispatch(&mut ctx, &argv);
                    if sess.close_after_reply {
                        close = true;
                        break;
                    }
                }
                if let Some(e) = &proto_error {
                    if !close {
                        let text = format!("ERR {e}");
                        st.stats.total_error_replies += 1;
                        *st.stats.error_codes.entry("ERR".into()).or_insert(0) += 1;
                        out.error(text.as_bytes());
                        tracing::debug!("Protocol error ({e}) from client: id={id} addr={}", peer.addr);
                    }
                    close = true;
                }
                let limit = st.config.client_output_buffer_limit[0].hard_limit_bytes;
                if let Some(c) = st.clients.get_mut(&id) {
                    c.db = sess.db;
                    c.resp = if out.resp3() { 3 } else { 2 };
                    c.last_interaction_ms = now_ms;
                    c.last_cmd = sess.last_cmd;
                    c.qbuf = rbuf.len();
                    c.qbuf_cap = rbuf.capacity();
                    c.omem = out.len();
                    if c.user != sess.user {
                        c.user = sess.user.clone();
                    }
                }
                if limit > 0 && out.len() as u64 > limit {
                    st.stats.client_output_buffer_limit_disconnections += 1;
                    tracing::warn!(
                        "Client id={id} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                        peer.addr
                    );
                    break 'conn;
                }
            }
            // An authenticated client's requests were all decoded in one
            // pass; one still authenticating is decoded request by request.
            if close || !auth_pending {
                break;
            }
        }

        let limit = shared.query_buffer_limit.load(Ordering::Relaxed);
        let qbuf = rbuf.len() + parser.pending_bytes();
        if qbuf as u64 > limit {
            let mut st = shared.lock_async().await;
            st.stats.client_query_buffer_limit_disconnections += 1;
            tracing::warn!("Closing client that reached max query buffer length: id={id} addr={} (qbuf={qbuf})", peer.addr);
            break 'conn;
        }

        if !out.is_empty() {
            let len = out.len();
            if stream.write_all(&out.buf).await.is_err() {
                break;
            }
            shared.net_output_bytes.fetch_add(len as u64, Ordering::Relaxed);
            shared.writes_processed.fetch_add(1, Ordering::Relaxed);
            out.buf.clear();
            // Don't keep a huge buffer around after a big reply.
            if out.buf.capacity() > 1024 * 1024 {
                out.buf = BytesMut::new();
            }
        }
        if close {
            let _ = stream.flush().await;
            break;
        }
    }
    let _ = stream.shutdown().await;
    let mut st = shared.lock_async().await;
    register(&mut st, id, &mut pending);
    st.clients.remove(&id);
    shared.connected.fetch_sub(1, Ordering::Relaxed);
}

/// Adds a connection to the client registry once (and counts it).
fn register(st: &mut State, id: u64, pending: &mut Option<ClientInfo>) {
    if let Some(info) = pending.take() {
        st.stats.total_connections_received += 1;
        st.clients.insert(id, info);
    }
}
