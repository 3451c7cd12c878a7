//! Publish/subscribe (Redis's `pubsub.c`) and the delivery path keyspace
//! notifications share.
//!
//! The [`Registry`] in the shared state maps each channel (and each
//! pattern, and each shard channel) to the ids of its subscribers in
//! subscription order; each client's own [`Subscriptions`] live in its
//! session. PUBLISH walks the channel's subscribers, then every pattern,
//! and hands each receiver the message encoded for its protocol: an array
//! in RESP2, a push (`>`) in RESP3.
//!
//! A message for the publishing client itself (RESP3 allows a subscribed
//! client to publish, and keyspace notifications about its own writes reach
//! it) goes straight into its reply buffer, before the command's reply, as
//! in Redis. A message for another client is appended to that client's
//! `pending` buffer in the registry of connected clients and its task is
//! woken to write it. That buffer is what the pub/sub output buffer limit
//! (`client-output-buffer-limit pubsub`) measures: a subscriber that stops
//! reading is disconnected once it passes the hard limit, or stays above
//! the soft limit for longer than allowed, and publishers are never slowed
//! down by it.

use super::keys::help_reply;
use super::Ctx;
use crate::command::Row;
use crate::error::{CmdError, CmdResult};
use crate::row;
use crate::state::State;
use bytes::{BufMut, Bytes, BytesMut};
use hematite_common::glob::string_match;
use hematite_resp::ReplyBuf;
use std::collections::{BTreeMap, HashMap};

/// Which namespace a subscription lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// SUBSCRIBE / PUBLISH.
    Channel,
    /// PSUBSCRIBE.
    Pattern,
    /// SSUBSCRIBE / SPUBLISH.
    Shard,
}

impl Space {
    fn verbs(self) -> (&'static [u8], &'static [u8]) {
        match self {
            Space::Channel => (b"subscribe", b"unsubscribe"),
            Space::Pattern => (b"psubscribe", b"punsubscribe"),
            Space::Shard => (b"ssubscribe", b"sunsubscribe"),
        }
    }
}

/// One client's subscriptions, in subscription order.
#[derive(Debug, Default)]
pub struct Subscriptions {
    /// Channels.
    pub channels: Vec<Bytes>,
    /// Patterns.
    pub patterns: Vec<Bytes>,
    /// Shard channels.
    pub shard: Vec<Bytes>,
}

impl Subscriptions {
    fn list(&mut self, space: Space) -> &mut Vec<Bytes> {
        match space {
            Space::Channel => &mut self.channels,
            Space::Pattern => &mut self.patterns,
            Space::Shard => &mut self.shard,
        }
    }

    /// The count subscribe replies report for `space`.
    fn count(&self, space: Space) -> usize {
        match space {
            Space::Shard => self.shard.len(),
            _ => self.channels.len() + self.patterns.len(),
        }
    }

    /// True if subscribed to anything (Redis's `CLIENT_PUBSUB` flag).
    #[inline]
    pub fn active(&self) -> bool {
        !(self.channels.is_empty() && self.patterns.is_empty() && self.shard.is_empty())
    }
}

/// Subscribers of every channel, pattern and shard channel.
#[derive(Debug, Default)]
pub struct Registry {
    channels: HashMap<Bytes, Vec<u64>>,
    patterns: BTreeMap<Bytes, Vec<u64>>,
    shard: HashMap<Bytes, Vec<u64>>,
}

impl Registry {
    fn add(&mut self, space: Space, name: &Bytes, id: u64) {
        let ids = match space {
            Space::Channel => self.channels.entry(name.clone()).or_default(),
            Space::Pattern => self.patterns.entry(name.clone()).or_default(),
            Space::Shard => self.shard.entry(name.clone()).or_default(),
        };
        ids.push(id);
    }

    fn remove(&mut self, space: Space, name: &Bytes, id: u64) {
        fn drop_id<M: MapLike>(m: &mut M, name: &Bytes, id: u64) {
            if let Some(ids) = m.get_ids(name) {
                ids.retain(|&x| x != id);
                if ids.is_empty() {
                    m.remove_name(name);
                }
            }
        }
        match space {
            Space::Channel => drop_id(&mut self.channels, name, id),
            Space::Pattern => drop_id(&mut self.patterns, name, id),
            Space::Shard => drop_id(&mut self.shard, name, id),
        }
    }

    /// Removes every subscription of a disconnecting client.
    pub fn remove_client(&mut self, id: u64, subs: &mut Subscriptions) {
        for (space, list) in [
            (Space::Channel, std::mem::take(&mut subs.channels)),
            (Space::Pattern, std::mem::take(&mut subs.patterns)),
            (Space::Shard, std::mem::take(&mut subs.shard)),
        ] {
            for name in &list {
                self.remove(space, name, id);
            }
        }
    }

    /// Number of channels with subscribers (`pubsub_channels` in INFO).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Number of patterns with subscribers (`pubsub_patterns`).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Number of shard channels with subscribers.
    pub fn shard_count(&self) -> usize {
        self.shard.len()
    }

    /// True if nobody subscribes to anything.
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.patterns.is_empty() && self.shard.is_empty()
    }
}

trait MapLike {
    fn get_ids(&mut self, name: &Bytes) -> Option<&mut Vec<u64>>;
    fn remove_name(&mut self, name: &Bytes);
}
impl MapLike for HashMap<Bytes, Vec<u64>> {
    fn get_ids(&mut self, name: &Bytes) -> Option<&mut Vec<u64>> {
        self.get_mut(name)
    }
    fn remove_name(&mut self, name: &Bytes) {
        self.remove(name);
    }
}
impl MapLike for BTreeMap<Bytes, Vec<u64>> {
    fn get_ids(&mut self, name: &Bytes) -> Option<&mut Vec<u64>> {
        self.get_mut(name)
    }
    fn remove_name(&mut self, name: &Bytes) {
        self.remove(name);
    }
}

/// Appends a message (`parts` as bulk strings) as a RESP3 push or a RESP2
/// array.
fn encode(buf: &mut BytesMut, resp3: bool, parts: &[&[u8]]) {
    let mut num = itoa::Buffer::new();
    buf.put_u8(if resp3 { b'>' } else { b'*' });
    buf.put_slice(num.format(parts.len()).as_bytes());
    buf.put_slice(b"\r\n");
    for p in parts {
        buf.put_u8(b'$');
        buf.put_slice(num.format(p.len()).as_bytes());
        buf.put_slice(b"\r\n");
        buf.put_slice(p);
        buf.put_slice(b"\r\n");
    }
}

/// The publishing client, whose own messages go straight into its reply.
pub struct Me<'a> {
    /// Its id.
    pub id: u64,
    /// Its reply buffer.
    pub out: &'a mut ReplyBuf,
}

impl State {
    /// Publishes `message` on `channel` (or a shard channel) and returns the
    /// number of clients that received it.
    pub fn publish(&mut self, shard: bool, channel: &[u8], message: &[u8], mut me: Option<Me<'_>>) -> usize {
        if self.pubsub.is_empty() {
            return 0;
        }
        let mut targets: Vec<(u64, Option<Bytes>)> = Vec::new();
        let map = if shard { &self.pubsub.shard } else { &self.pubsub.channels };
        if let Some(ids) = map.get(channel) {
            targets.extend(ids.iter().map(|&id| (id, None)));
        }
        if !shard {
            for (pat, ids) in &self.pubsub.patterns {
                if string_match(pat, channel, false) {
                    targets.extend(ids.iter().map(|&id| (id, Some(pat.clone()))));
                }
            }
        }
        for (id, pat) in &targets {
            let parts: &[&[u8]] = match pat {
                None if shard => &[b"smessage", channel, message],
                None => &[b"message", channel, message],
                Some(p) => &[b"pmessage", p, channel, message],
            };
            match me.as_mut() {
                Some(me) if me.id == *id => {
                    let resp3 = me.out.resp3();
                    encode(&mut me.out.buf, resp3, parts)
                }
                _ => self.deliver(*id, parts),
            }
        }
        targets.len()
    }

    /// Queues a message for another client and enforces its pub/sub output
    /// buffer limits.
    fn deliver(&mut self, id: u64, parts: &[&[u8]]) {
        let limits = self.config.client_output_buffer_limit[2];
        let Some(c) = self.clients.get_mut(&id) else { return };
        if c.killed.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        encode(&mut c.pending, c.resp == 3, parts);
        let used = (c.pending.len() + c.omem) as u64;
        let now = crate::clock::now_ms();
        let hard = limits.hard_limit_bytes > 0 && used >= limits.hard_limit_bytes;
        let mut soft = false;
        if limits.soft_limit_bytes > 0 && used >= limits.soft_limit_bytes {
            if c.soft_limit_since_ms == 0 {
                c.soft_limit_since_ms = now;
            } else if (now - c.soft_limit_since_ms) as u64 > limits.soft_limit_seconds * 1000 {
                soft = true;
            }
        } else {
            c.soft_limit_since_ms = 0;
        }
        if hard || soft {
            c.killed.store(true, std::sync::atomic::Ordering::SeqCst);
            c.pending = BytesMut::new();
            tracing::warn!(
                "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                c.id,
                c.addr
            );
            c.wake.notify_one();
            self.stats.client_output_buffer_limit_disconnections += 1;
            return;
        }
        c.wake.notify_one();
    }

    /// Publishes a keyspace notification (Redis's `notifyKeyspaceEvent`) if
    /// `notify-keyspace-events` enables its class.
    pub fn notify_keyspace(&mut self, class: u32, event: &str, key: &[u8], db: usize, me: Option<Me<'_>>) {
        use hematite_config::notify;
        let flags = self.config.notify_keyspace_flags;
        if flags & class == 0 || self.pubsub.is_empty() {
            return;
        }
        let mut me = me;
        if flags & notify::KEYSPACE != 0 {
            let mut ch = format!("__keyspace@{db}__:").into_bytes();
            ch.extend_from_slice(key);
            let me2 = me.as_mut().map(|m| Me { id: m.id, out: &mut *m.out });
            self.publish(false, &ch, event.as_bytes(), me2);
        }
        if flags & notify::KEYEVENT != 0 {
            let ch = format!("__keyevent@{db}__:{event}").into_bytes();
            self.publish(false, &ch, key, me);
        }
    }
}

fn subscribe_generic(ctx: &mut Ctx, argv: &[Bytes], space: Space) -> CmdResult {
    if ctx.sess.in_script {
        return Err(CmdError::err("This Redis command is not allowed from script"));
    }
    let id = ctx.sess.id;
    for name in &argv[1..] {
        let list = ctx.sess.subs.list(space);
        if !list.contains(name) {
            list.push(name.clone());
            ctx.st.pubsub.add(space, name, id);
        }
        let n = ctx.sess.subs.count(space);
        ctx.out.push(3);
        ctx.out.bulk(space.verbs().0);
        ctx.out.bulk(name);
        ctx.out.int(n as i64);
    }
    Ok(())
}

fn unsubscribe_generic(ctx: &mut Ctx, argv: &[Bytes], space: Space) -> CmdResult {
    let id = ctx.sess.id;
    let verb = space.verbs().1;
    let names: Vec<Bytes> = if argv.len() > 1 { argv[1..].to_vec() } else { ctx.sess.subs.list(space).clone() };
    if names.is_empty() {
        let n = ctx.sess.subs.count(space);
        ctx.out.push(3);
        ctx.out.bulk(verb);
        ctx.out.null();
        ctx.out.int(n as i64);
        return Ok(());
    }
    for name in &names {
        let list = ctx.sess.subs.list(space);
        if let Some(pos) = list.iter().position(|c| c == name) {
            list.remove(pos);
            ctx.st.pubsub.remove(space, name, id);
        }
        let n = ctx.sess.subs.count(space);
        ctx.out.push(3);
        ctx.out.bulk(verb);
        ctx.out.bulk(name);
        ctx.out.int(n as i64);
    }
    Ok(())
}

/// Drops every subscription (RESET, disconnect).
pub fn unsubscribe_all(ctx: &mut Ctx) {
    let id = ctx.sess.id;
    ctx.st.pubsub.remove_client(id, &mut ctx.sess.subs);
}

/// `SUBSCRIBE channel [channel ...]`
pub fn subscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    subscribe_generic(ctx, argv, Space::Channel)
}

/// `PSUBSCRIBE pattern [pattern ...]`
pub fn psubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    subscribe_generic(ctx, argv, Space::Pattern)
}

/// `SSUBSCRIBE shardchannel [shardchannel ...]`
pub fn ssubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    subscribe_generic(ctx, argv, Space::Shard)
}

/// `UNSUBSCRIBE [channel ...]`
pub fn unsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, argv, Space::Channel)
}

/// `PUNSUBSCRIBE [pattern ...]`
pub fn punsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, argv, Space::Pattern)
}

/// `SUNSUBSCRIBE [shardchannel ...]`
pub fn sunsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsubscribe_generic(ctx, argv, Space::Shard)
}

fn publish_generic(ctx: &mut Ctx, argv: &[Bytes], shard: bool) -> CmdResult {
    let me = Me { id: ctx.sess.id, out: &mut *ctx.out };
    let n = ctx.st.publish(shard, &argv[1], &argv[2], Some(me));
    ctx.out.int(n as i64);
    Ok(())
}

/// `PUBLISH channel message`
pub fn publish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    publish_generic(ctx, argv, false)
}

/// `SPUBLISH shardchannel message`
pub fn spublish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    publish_generic(ctx, argv, true)
}

fn channels_matching<'a>(names: impl Iterator<Item = &'a Bytes>, pattern: Option<&Bytes>) -> Vec<Bytes> {
    names.filter(|n| pattern.map_or(true, |p| string_match(p, n, false))).cloned().collect()
}

fn pubsub_channels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let list = channels_matching(ctx.st.pubsub.channels.keys(), argv.get(2));
    ctx.out.array(list.len());
    for c in &list {
        ctx.out.bulk(c);
    }
    Ok(())
}

fn pubsub_shardchannels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let list = channels_matching(ctx.st.pubsub.shard.keys(), argv.get(2));
    ctx.out.array(list.len());
    for c in &list {
        ctx.out.bulk(c);
    }
    Ok(())
}

/// Redis's `addReplySubcommandSyntaxError`, quoting the subcommand as given.
fn subcommand_syntax_error(argv: &[Bytes]) -> CmdError {
    let sub = String::from_utf8_lossy(&argv[1]);
    let sub: String = sub.chars().take(128).collect();
    CmdError::err(format!("unknown subcommand or wrong number of arguments for '{sub}'. Try PUBSUB HELP."))
}

fn numsub_reply(ctx: &mut Ctx, argv: &[Bytes], shard: bool) {
    // A flat array of (channel, count) pairs in RESP3 too, as Redis 7.0.
    ctx.out.array((argv.len() - 2) * 2);
    for ch in &argv[2..] {
        let map = if shard { &ctx.st.pubsub.shard } else { &ctx.st.pubsub.channels };
        let n = map.get(ch).map_or(0, |v| v.len());
        ctx.out.bulk(ch);
        ctx.out.int(n as i64);
    }
}

fn pubsub_numsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub_reply(ctx, argv, false);
    Ok(())
}

fn pubsub_shardnumsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub_reply(ctx, argv, true);
    Ok(())
}

fn pubsub_numpat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.st.pubsub.patterns.len() as i64);
    Ok(())
}

fn pubsub_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    help_reply(
        ctx,
        "PUBSUB",
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    );
    Ok(())
}

/// True for the commands a RESP2 client may send while subscribed.
pub fn allowed_in_subscribed_context(name: &str) -> bool {
    matches!(
        name,
        "ping" | "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" | "psubscribe" | "punsubscribe" | "quit" | "reset"
    )
}

/// The `PING` reply of a RESP2 client in subscribed mode: `["pong", msg]`.
pub fn subscribed_ping(ctx: &mut Ctx, argv: &[Bytes]) {
    ctx.out.array(2);
    ctx.out.bulk(b"pong");
    ctx.out.bulk(argv.get(1).map_or(&b""[..], |a| &a[..]));
}

macro_rules! sub {
    ($name:literal, $arity:expr, $flags:literal, $acl:literal, $handler:expr) => {
        Row { name: $name, arity: $arity, flags: $flags, acl: $acl, keys: (0, 0, 0), handler: $handler, subs: &[] }
    };
}

/// PUBSUB's subcommands.
static PUBSUB_SUBCOMMANDS: &[Row] = &[
    sub!("channels", -2, "pubsub loading stale", "", pubsub_channels),
    sub!("numsub", -2, "pubsub loading stale", "", pubsub_numsub),
    sub!("numpat", 2, "pubsub loading stale", "", pubsub_numpat),
    sub!("shardchannels", -2, "pubsub loading stale", "", pubsub_shardchannels),
    sub!("shardnumsub", -2, "pubsub loading stale", "", pubsub_shardnumsub),
    sub!("help", 2, "loading stale", "", pubsub_help),
];

/// The pub/sub commands' table rows.
pub static ROWS: &[Row] = &[
    row!("subscribe", -2, "pubsub noscript loading stale", "", (0, 0, 0), subscribe),
    row!("psubscribe", -2, "pubsub noscript loading stale", "", (0, 0, 0), psubscribe),
    row!("ssubscribe", -2, "pubsub noscript loading stale", "", (1, -1, 1), ssubscribe),
    row!("unsubscribe", -1, "pubsub noscript loading stale", "", (0, 0, 0), unsubscribe),
    row!("punsubscribe", -1, "pubsub noscript loading stale", "", (0, 0, 0), punsubscribe),
    row!("sunsubscribe", -1, "pubsub noscript loading stale", "", (1, -1, 1), sunsubscribe),
    row!("publish", 3, "pubsub loading stale fast", "", (0, 0, 0), publish),
    row!("spublish", 3, "pubsub loading stale fast", "", (1, 1, 1), spublish),
    row!("pubsub", -2, "", "", (0, 0, 0), super::container, PUBSUB_SUBCOMMANDS),
];

