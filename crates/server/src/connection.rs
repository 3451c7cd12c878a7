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
use std::collections::VecDeque;
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
    let mut unregistered = Some(ClientInfo {
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
        pending: BytesMut::new(),
        soft_limit_since_ms: 0,
        sub_counts: (0, 0, 0),
        multi: -1,
        blocked: false,
        aof_target: 0,
    });
    if let Some(mut st) = shared.state.try_lock_for(Duration::from_millis(10)) {
        register(&mut st, id, &mut unregistered);
    }

    let mut rbuf = BytesMut::with_capacity(READ_CHUNK);
    let mut out = ReplyBuf::new();
    let mut parser = Parser::new();
    // Decoded requests not yet executed (the rest of a pipeline stays here
    // while the client is blocked).
    let mut batch: VecDeque<Vec<Bytes>> = VecDeque::new();
    // Parked by a blocking command (the registry in the state knows it).
    let mut blocked = false;
    let mut eof = false;
    // A wakeup could not take the lock (a script was running): retry.
    let mut recheck = false;

    'conn: loop {
        // 1. Decode and run everything complete in the buffer (not while
        //    blocked: a blocked client's later requests wait, as in Redis).
        let mut close = false;
        if !blocked {
            let mut proto_error = None;
            loop {
                let auth_pending = !sess.authenticated && shared.auth_required.load(Ordering::Relaxed);
                let limits =
                    Limits { max_bulk_len: shared.proto_max_bulk_len.load(Ordering::Relaxed), auth_required: auth_pending };
                if batch.is_empty() {
                    loop {
                        match parser.parse(&mut rbuf, &limits) {
                            Ok(Some(argv)) => {
                                batch.push_back(argv);
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
                }
                if batch.is_empty() && proto_error.is_none() {
                    break;
                }
                {
                    // Like locking the state, but answers -BUSY / SCRIPT KILL
                    // while a script holds the lock; None: all answered.
                    let busy_ok = !auth_pending && proto_error.is_none();
                    let Some(mut guard) = crate::scripting::busy::lock(&shared, &mut batch, &mut out, busy_ok).await else {
                        break;
                    };
                    let st = &mut *guard;
                    register(st, id, &mut unregistered);
                    take_pending(st, id, &mut out, &mut sess);
                    let now_ms = crate::clock::now_ms();
                    while let Some(argv) = batch.pop_front() {
                        let mut ctx = Ctx { st, sess: &mut sess, out: &mut out, now_ms, cmd: None, shared: &shared };
                        dispatch(&mut ctx, &argv);
                        if let Some(req) = sess.block.take() {
                            let cmd = sess.last_cmd.expect("a blocking command ran");
                            crate::commands::blocking::park(st, id, req, cmd, argv, sess.db, out.resp3(), now_ms);
                            blocked = true;
                            break;
                        }
                        if sess.close_after_reply {
                            close = true;
                            break;
                        }
                    }
                    if let Some(e) = &proto_error {
                        if !close && !blocked {
                            let text = format!("ERR {e}");
                            st.stats.total_error_replies += 1;
                            *st.stats.error_codes.entry("ERR".into()).or_insert(0) += 1;
                            out.error(text.as_bytes());
                            tracing::debug!("Protocol error ({e}) from client: id={id} addr={}", peer.addr);
                            close = true;
                        }
                    }
                    sync_info(st, id, &sess, &out, &rbuf, now_ms);
                    let limit = st.config.client_output_buffer_limit[0].hard_limit_bytes;
                    if limit > 0 && out.len() as u64 > limit && !sess.subs.active() {
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
                if close || blocked || proto_error.is_some() || !auth_pending {
                    break;
                }
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

        // 2. Write the replies, once the batch's writes reached the AOF as
        //    far as `appendfsync` promises (group commit: see
        //    persistence::aof_io). A write that cannot progress (the client
        //    stopped reading) still lets CLIENT KILL and the output limits
        //    close the connection.
        if sess.aof_target > 0 {
            let target = std::mem::take(&mut sess.aof_target);
            shared.aof.wait(target).await;
        }
        if !out.is_empty() {
            let len = out.len();
            let mut pos = 0;
            while pos < len {
                tokio::select! {
                    biased;
                    _ = wake.notified() => {
                        if killed.load(Ordering::SeqCst) { break 'conn; }
                    }
                    r = stream.write(&out.buf[pos..]) => match r {
                        Ok(0) | Err(_) => break 'conn,
                        Ok(n) => pos += n,
                    },
                }
            }
            shared.net_output_bytes.fetch_add(len as u64, Ordering::Relaxed);
            shared.writes_processed.fetch_add(1, Ordering::Relaxed);
            out.buf.clear();
            // Don't keep a huge buffer around after a big reply.
            if out.buf.capacity() > 1024 * 1024 {
                out.buf = BytesMut::new();
            }
            if close {
                let _ = stream.flush().await;
                break;
            }
            // Requests that arrived while this client was blocked are
            // handled before waiting again (messages queued meanwhile left a
            // wakeup permit, so the wait below returns at once).
            if !blocked && !batch.is_empty() {
                continue 'conn;
            }
        }
        if close {
            let _ = stream.flush().await;
            break;
        }
        if !blocked && !batch.is_empty() {
            continue 'conn;
        }

        // 3. Wait for input, a wakeup (message, served or unblocked blocking
        //    command, kill) or the blocking timeout.
        if rbuf.capacity() - rbuf.len() < 1024 {
            rbuf.reserve(READ_CHUNK);
        }
        let deadline = if blocked { shared.lock_async().await.blocking.deadline(id) } else { None };
        let idle_secs = shared.timeout_secs.load(Ordering::Relaxed);
        let idle_timeout = idle_secs > 0 && !blocked && !sess.subs.active();
        let sleep = async {
            if let Some(d) = deadline {
                let ms = (d - crate::clock::now_ms()).max(0) as u64;
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Wait::BlockTimeout
            } else if recheck {
                // A wakeup came while a script held the lock: look again soon.
                tokio::time::sleep(Duration::from_millis(10)).await;
                Wait::Woken
            } else if idle_timeout {
                tokio::time::sleep(Duration::from_secs(idle_secs)).await;
                Wait::Idle
            } else {
                std::future::pending::<Wait>().await
            }
        };
        let ev = tokio::select! {
            biased;
            _ = wake.notified() => Wait::Woken,
            w = sleep => w,
            r = stream.read_buf(&mut rbuf), if !eof => match r {
                Ok(0) | Err(_) => Wait::Eof,
                Ok(n) => Wait::Read(n),
            },
        };
        match ev {
            Wait::Eof => {
                eof = true;
                break 'conn;
            }
            Wait::Idle => {
                tracing::debug!("Closing idle client");
                break 'conn;
            }
            Wait::Read(n) => {
                shared.net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
                shared.reads_processed.fetch_add(1, Ordering::Relaxed);
                if killed.load(Ordering::SeqCst) {
                    break 'conn;
                }
            }
            Wait::Woken => {
                if killed.load(Ordering::SeqCst) {
                    break 'conn;
                }
                // Don't wait for a busy script: this client must stay able
                // to send requests (answered -BUSY) meanwhile.
                let Some(mut st) = shared.state.try_lock_for(Duration::from_millis(1)) else {
                    recheck = true;
                    continue 'conn;
                };
                recheck = false;
                take_pending(&mut st, id, &mut out, &mut sess);
                if blocked && !st.blocking.contains(id) {
                    blocked = false;
                }
            }
            Wait::BlockTimeout => {
                let mut st = shared.lock_async().await;
                take_pending(&mut st, id, &mut out, &mut sess);
                if let Some(reply) = crate::commands::blocking::expire(&mut st, id) {
                    out.buf.extend_from_slice(&reply.buf);
                }
                if !st.blocking.contains(id) {
                    blocked = false;
                }
            }
        }
    }
    let _ = eof;
    let _ = stream.shutdown().await;
    let mut st = shared.lock_async().await;
    register(&mut st, id, &mut unregistered);
    st.blocking.remove(id);
    st.pubsub.remove_client(id, &mut sess.subs);
    st.watches.unwatch_all(id, &mut sess.watched);
    st.clients.remove(&id);
    shared.connected.fetch_sub(1, Ordering::Relaxed);
}

/// What ended a wait for input.
enum Wait {
    Woken,
    Read(usize),
    Eof,
    Idle,
    BlockTimeout,
}

/// Moves what others queued for this client into its reply buffer.
fn take_pending(st: &mut State, id: u64, out: &mut ReplyBuf, sess: &mut Session) {
    if let Some(c) = st.clients.get_mut(&id) {
        sess.aof_target = sess.aof_target.max(std::mem::take(&mut c.aof_target));
        if !c.pending.is_empty() {
            out.buf.extend_from_slice(&c.pending);
            c.pending.clear();
            c.soft_limit_since_ms = 0;
        }
    }
}

/// Enters the client in the registry if it isn't yet.
fn register(st: &mut State, id: u64, unregistered: &mut Option<ClientInfo>) {
    if let Some(info) = unregistered.take() {
        st.stats.total_connections_received += 1;
        st.clients.insert(id, info);
    }
}

/// Refreshes the registry entry CLIENT LIST reads.
fn sync_info(st: &mut State, id: u64, sess: &Session, out: &ReplyBuf, rbuf: &BytesMut, now_ms: i64) {
    if let Some(c) = st.clients.get_mut(&id) {
        c.db = sess.db;
        c.resp = if out.resp3() { 3 } else { 2 };
        c.last_interaction_ms = now_ms;
        c.last_cmd = sess.last_cmd;
        c.qbuf = rbuf.len();
        c.qbuf_cap = rbuf.capacity();
        c.omem = out.len();
        c.sub_counts = (sess.subs.channels.len(), sess.subs.patterns.len(), sess.subs.shard.len());
        c.multi = sess.multi.as_ref().map_or(-1, |m| m.queue.len() as i64);
        c.blocked = st.blocking.contains(id);
        if c.user != sess.user {
            c.user = sess.user.clone();
        }
    }
}
