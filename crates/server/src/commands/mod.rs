//! Command implementations, one module per family, and the table rows.
//!
//! Every handler has the signature `fn(&mut Ctx, &[Bytes]) -> CmdResult`:
//! it receives the full argv (name included, arity already checked by the
//! dispatcher), works on the state through [`Ctx`], writes its reply into
//! `ctx.out`, or returns a [`CmdError`] that the dispatcher renders.
//!
//! [`TABLE`] at the bottom lists every command with its arity, flags, ACL
//! categories and key positions; see [`crate::command`] for how it is used.

pub mod blocking;
pub mod client;
pub mod config;
pub mod connection;
pub mod hashes;
pub mod info;
pub mod keys;
pub mod lists;
pub mod memory;
pub mod meta;
pub mod multi;
pub mod persistence;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod sets;
pub mod sort;
pub mod strings;
pub mod zsets;

use crate::command::{Command, Row};
use crate::error::CmdError;
use crate::state::{ReplyMode, State};
use bytes::Bytes;
use hematite_common::num;
use hematite_resp::ReplyBuf;
use hematite_store::object::Access;
use hematite_store::{Db, Object, Str, Value};

/// Connection-local state that commands read and change.
#[derive(Debug)]
pub struct Session {
    /// Client id (key of the registry entry in `State::clients`).
    pub id: u64,
    /// Selected database.
    pub db: usize,
    /// Whether the client has authenticated (or needs not).
    pub authenticated: bool,
    /// Authenticated user name.
    pub user: String,
    /// CLIENT REPLY mode.
    pub reply_mode: ReplyMode,
    /// Close the connection once pending replies are written (QUIT).
    pub close_after_reply: bool,
    /// CLIENT NO-TOUCH (7.2): don't update access times.
    pub no_touch: bool,
    /// The last command executed.
    pub last_cmd: Option<&'static Command>,
    /// Running the commands of a MULTI block (EXEC).
    pub in_exec: bool,
    /// Running commands for a Lua script or function (`redis.call`).
    pub in_script: bool,
    /// The open transaction (between MULTI and EXEC/DISCARD).
    pub multi: Option<multi::MultiState>,
    /// Keys this client WATCHes.
    pub watched: Vec<multi::Watched>,
    /// Pub/sub subscriptions.
    pub subs: pubsub::Subscriptions,
    /// Set by a blocking handler that found no data (see
    /// [`blocking::BlockRequest`]); the connection parks the client.
    pub block: Option<blocking::BlockRequest>,
    /// The AOF offset this client's last writes end at; its replies wait
    /// until the AOF got that far (see `persistence::aof_io`).
    pub aof_target: u64,
}

impl Session {
    /// A fresh session for client `id`.
    pub fn new(id: u64, authenticated: bool) -> Self {
        Session {
            id,
            db: 0,
            authenticated,
            user: "default".into(),
            reply_mode: ReplyMode::On,
            close_after_reply: false,
            no_touch: false,
            last_cmd: None,
            in_exec: false,
            in_script: false,
            multi: None,
            watched: Vec::new(),
            subs: pubsub::Subscriptions::default(),
            block: None,
            aof_target: 0,
        }
    }
}

/// What a handler works with.
pub struct Ctx<'a> {
    /// The locked shared state.
    pub st: &'a mut State,
    /// The calling client's session.
    pub sess: &'a mut Session,
    /// The calling client's reply buffer.
    pub out: &'a mut ReplyBuf,
    /// The time of this command (Unix ms), fixed for its whole execution
    /// like Redis's `commandTimeSnapshot`.
    pub now_ms: i64,
    /// The command being executed.
    pub cmd: Option<&'static Command>,
    /// Shared handles outside the lock (shutdown signal, counters).
    pub shared: &'a crate::state::Shared,
}

impl<'a> Ctx<'a> {
    /// The selected database.
    #[inline]
    pub fn db(&mut self) -> &mut Db {
        &mut self.st.ks.dbs[self.sess.db]
    }

    /// The access stamp of a new object: the LRU clock, or under an LFU
    /// policy the initial LFU counter (Redis's `createObject`).
    #[inline]
    pub fn lru(&self) -> u32 {
        self.st.stamping().new_stamp(self.now_ms)
    }

    /// How lookups stamp the objects they touch now (see
    /// [`hematite_store::object::Access`]).
    #[inline]
    pub fn access(&self) -> Access {
        self.st.access()
    }

    /// Looks a key up for a read command: expires it if due, counts a
    /// keyspace hit or miss, and updates its access time.
    #[inline]
    pub fn read_key(&mut self, key: &[u8]) -> Option<&mut Object> {
        self.lookup_read(key, true)
    }

    /// [`Ctx::read_key`] that leaves the access stamp alone (Redis's
    /// `LOOKUP_NOTOUCH`, used by EXISTS and TYPE): asking whether a key
    /// exists doesn't make it recently used for eviction.
    #[inline]
    pub fn read_key_notouch(&mut self, key: &[u8]) -> Option<&mut Object> {
        self.lookup_read(key, false)
    }

    #[inline]
    fn lookup_read(&mut self, key: &[u8], touch: bool) -> Option<&mut Object> {
        let idx = self.sess.db;
        let access = self.access();
        let touch = touch && !self.sess.no_touch;
        let now = self.now_ms;
        let ks = &mut self.st.ks;
        match ks.dbs[idx].get_mut(key, now, &mut ks.counters, idx) {
            Some(o) => {
                self.st.stats.keyspace_hits += 1;
                if touch {
                    o.touch(access, now);
                }
                Some(o)
            }
            None => {
                self.st.stats.keyspace_misses += 1;
                None
            }
        }
    }

    /// Like [`Ctx::read_key`], but hands the object and the reply buffer to
    /// `f` together, so a handler can write the value without copying it.
    #[inline]
    pub fn read_with<R>(&mut self, key: &[u8], f: impl FnOnce(Option<&mut Object>, &mut ReplyBuf) -> R) -> R {
        let idx = self.sess.db;
        let access = self.access();
        let touch = !self.sess.no_touch;
        let now = self.now_ms;
        let st = &mut *self.st;
        let ks = &mut st.ks;
        let found = ks.dbs[idx].get_mut(key, now, &mut ks.counters, idx);
        match found {
            Some(o) => {
                st.stats.keyspace_hits += 1;
                if touch {
                    o.touch(access, now);
                }
                f(Some(o), self.out)
            }
            None => {
                st.stats.keyspace_misses += 1;
                f(None, self.out)
            }
        }
    }

    /// Reads a string value and hands it with the reply buffer to `f`;
    /// `WRONGTYPE` if the key holds another type.
    #[inline]
    pub fn read_str_with<R>(&mut self, key: &[u8], f: impl FnOnce(Option<&mut Str>, &mut ReplyBuf) -> R) -> Result<R, CmdError> {
        self.read_with(key, |o, out| match o {
            None => Ok(f(None, out)),
            Some(Object { value: Value::Str(s), .. }) => Ok(f(Some(s), out)),
            #[allow(unreachable_patterns)]
            Some(_) => Err(CmdError::WrongType),
        })
    }

    /// Replies with a string value as a bulk string, or null when missing.
    #[inline]
    pub fn reply_str(&mut self, key: &[u8]) -> Result<bool, CmdError> {
        self.read_str_with(key, |s, out| match s {
            Some(s) => {
                s.with_bytes(|b| out.bulk(b));
                true
            }
            None => {
                out.null();
                false
            }
        })
    }

    /// Looks a key up for a write command (no hit/miss accounting).
    #[inline]
    pub fn write_key(&mut self, key: &[u8]) -> Option<&mut Object> {
        let idx = self.sess.db;
        let access = self.access();
        let touch = !self.sess.no_touch;
        let now = self.now_ms;
        let ks = &mut self.st.ks;
        let o = ks.dbs[idx].get_mut(key, now, &mut ks.counters, idx)?;
        if touch {
            o.touch(access, now);
        }
        Some(o)
    }

    /// True if the key exists in the selected database (no stats, no touch).
    #[inline]
    pub fn exists(&mut self, key: &[u8]) -> bool {
        let idx = self.sess.db;
        let ks = &mut self.st.ks;
        ks.dbs[idx].contains(key, self.now_ms, &mut ks.counters, idx)
    }

    /// Reads a string value: `Ok(None)` if missing, `WRONGTYPE` if the key
    /// holds another type.
    #[inline]
    pub fn read_str(&mut self, key: &[u8]) -> Result<Option<&mut Str>, CmdError> {
        match self.read_key(key) {
            None => Ok(None),
            Some(Object { value: Value::Str(s), .. }) => Ok(Some(s)),
            #[allow(unreachable_patterns)]
            Some(_) => Err(CmdError::WrongType),
        }
    }

    /// Like [`Ctx::read_str`] for write commands.
    #[inline]
    pub fn write_str(&mut self, key: &[u8]) -> Result<Option<&mut Str>, CmdError> {
        match self.write_key(key) {
            None => Ok(None),
            Some(Object { value: Value::Str(s), .. }) => Ok(Some(s)),
            #[allow(unreachable_patterns)]
            Some(_) => Err(CmdError::WrongType),
        }
    }

    /// Stores a value, replacing any (and removing its TTL unless
    /// `keep_ttl`), and counts the change (Redis's `setKey`). A key that
    /// expired is expired first, and creating the key fires `new`.
    #[inline]
    pub fn set_value(&mut self, key: &[u8], value: Value, keep_ttl: bool) {
        let stamping = self.st.stamping();
        let lru = stamping.new_stamp(self.now_ms);
        let idx = self.sess.db;
        let ks = &mut self.st.ks;
        if !ks.dbs[idx].expires.is_empty() {
            ks.dbs[idx].get(key, self.now_ms, &mut ks.counters, idx);
        }
        // Under LFU an overwritten key keeps its counter (Redis's
        // `dbSetValue`).
        let keep_stamp = matches!(stamping, Access::Lfu { .. });
        let created = ks.dbs[idx].set(key, value, lru, keep_ttl, keep_stamp);
        self.dirty(1);
        if created {
            self.notify(hematite_config::notify::NEW, "new", key);
        }
    }

    /// Adds a key that does not exist (Redis's `dbAdd`): every command that
    /// creates a key goes through here or [`Ctx::set_value`], so the `new`
    /// event fires for all of them.
    #[inline]
    pub fn add_key(&mut self, key: &[u8], value: Value) {
        let idx = self.sess.db;
        self.add_key_in(idx, key, value);
    }

    /// [`Ctx::add_key`] in database `db` (COPY ... DB, MOVE).
    pub fn add_key_in(&mut self, db: usize, key: &[u8], value: Value) {
        let lru = self.lru();
        self.st.ks.dbs[db].insert_new(key, value, lru);
        self.notify_in(db, hematite_config::notify::NEW, "new", key);
    }

    /// Redis's `signalModifiedKey`: the key in the selected database has
    /// changed, which breaks every WATCH on it. Call it wherever Redis does
    /// (usually through [`Ctx::changed`]).
    #[inline]
    pub fn signal(&mut self, key: &[u8]) {
        let db = self.sess.db;
        self.signal_in(db, key);
    }

    /// Redis's `notifyKeyspaceEvent`: publishes `event` about `key` (in the
    /// selected database) to keyspace-notification subscribers if
    /// `notify-keyspace-events` enables `class` (a
    /// `hematite_config::notify` bit). Event names are Redis's ("lpush",
    /// "hset", "del", "expire", ...).
    #[inline]
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        let db = self.sess.db;
        self.notify_in(db, class, event, key);
    }

    /// [`Ctx::notify`] about a key of database `db` (MOVE, COPY ... DB).
    /// Keys that expired during this command are announced first, so
    /// `expired` comes before the events of the command that found them
    /// expired, as in Redis (which notifies at the lookup).
    pub fn notify_in(&mut self, db: usize, class: u32, event: &str, key: &[u8]) {
        if self.st.config.notify_keyspace_flags & class == 0 {
            return;
        }
        self.st.drain_expired();
        let me = pubsub::Me { id: self.sess.id, out: &mut *self.out };
        self.st.notify_keyspace(class, event, key, db, Some(me));
    }

    /// [`Ctx::signal`] for a key of database `db`.
    #[inline]
    pub fn signal_in(&mut self, db: usize, key: &[u8]) {
        if self.st.watches.is_empty() {
            return;
        }
        let exists = self.st.ks.dbs[db].dict.get(key).is_some();
        self.st.watches.touch(db, key, exists);
    }

    /// Both of the above: the usual pair after a write changed `key`.
    #[inline]
    pub fn changed(&mut self, class: u32, event: &str, key: &[u8]) {
        self.signal(key);
        self.notify(class, event, key);
    }

    /// Counts `n` changes to the dataset (`rdb_changes_since_last_save`).
    #[inline]
    pub fn dirty(&mut self, n: u64) {
        self.st.stats.dirty += n;
    }

    /// Deletes a key; true if it existed.
    pub fn delete(&mut self, key: &[u8]) -> bool {
        let idx = self.sess.db;
        let ks = &mut self.st.ks;
        // Expire first, so an expired key counts as expired, not deleted.
        if !ks.dbs[idx].contains(key, self.now_ms, &mut ks.counters, idx) {
            return false;
        }
        ks.dbs[idx].remove(key);
        self.dirty(1);
        true
    }
}

/// Parses an integer argument (`ERR value is not an integer or out of range`).
#[inline]
pub fn arg_i64(arg: &[u8]) -> Result<i64, CmdError> {
    num::parse_i64(arg).ok_or(CmdError::NotInteger)
}

/// Parses a float argument (`ERR value is not a valid float`).
#[inline]
pub fn arg_f64(arg: &[u8]) -> Result<f64, CmdError> {
    num::parse_f64(arg).ok_or(CmdError::NotFloat)
}

/// Case-insensitive comparison of an argument with an option name.
#[inline]
pub fn is(arg: &[u8], name: &str) -> bool {
    arg.eq_ignore_ascii_case(name.as_bytes())
}

#[macro_export]
/// One row of the command table; see [`crate::command::Row`].
macro_rules! row {
    ($name:literal, $arity:expr, $flags:literal, $acl:literal, ($f:expr, $l:expr, $s:expr), $handler:expr) => {
        $crate::command::Row { name: $name, arity: $arity, flags: $flags, acl: $acl, keys: ($f, $l, $s), handler: $handler, subs: &[] }
    };
    ($name:literal, $arity:expr, $flags:literal, $acl:literal, ($f:expr, $l:expr, $s:expr), $handler:expr, $subs:expr) => {
        $crate::command::Row { name: $name, arity: $arity, flags: $flags, acl: $acl, keys: ($f, $l, $s), handler: $handler, subs: $subs }
    };
}

/// Handler of container commands (CLIENT, CONFIG, ...) reached only when no
/// subcommand was given; the dispatcher's arity check normally rejects that.
fn container(_ctx: &mut Ctx, argv: &[Bytes]) -> crate::error::CmdResult {
    Err(CmdError::WrongArity(String::from_utf8_lossy(&argv[0]).to_lowercase()))
}

use client as cl;
use config as cf;
use connection as cn;
use keys as k;
use server as sv;
use strings as s;

/// Every command hematite implements: the rows below plus each family
/// module's own `ROWS`. [`crate::command::table`] builds the lookup table
/// from these slices (and refuses a name listed twice).
pub static TABLES: &[&[Row]] = &[
    TABLE,
    lists::ROWS,
    hashes::ROWS,
    sets::ROWS,
    zsets::ROWS,
    sort::ROWS,
    multi::ROWS,
    pubsub::ROWS,
    scripting::ROWS,
    persistence::ROWS,
];

/// Connection, string, key and server commands.
static TABLE: &[Row] = &[
    // connection
    row!("ping", -1, "fast", "@connection", (0, 0, 0), cn::ping),
    row!("echo", 2, "loading stale fast", "@connection", (0, 0, 0), cn::echo),
    row!("quit", -1, "allow_busy noscript loading stale fast no_auth", "@connection", (0, 0, 0), cn::quit),
    row!("reset", 1, "noscript loading stale fast no_auth allow_busy", "@connection", (0, 0, 0), cn::reset),
    row!("select", 2, "loading stale fast", "@connection", (0, 0, 0), cn::select),
    row!("swapdb", 3, "write fast", "@keyspace @dangerous", (0, 0, 0), cn::swapdb),
    row!("auth", -2, "noscript loading stale fast no_auth allow_busy", "@connection", (0, 0, 0), cn::auth),
    row!("hello", -1, "noscript loading stale fast no_auth allow_busy", "@connection", (0, 0, 0), cn::hello),
    row!("client", -2, "", "", (0, 0, 0), container, cl::SUBCOMMANDS),
    // strings
    row!("get", 2, "readonly fast", "@string", (1, 1, 1), s::get),
    row!("set", -3, "write denyoom", "@string", (1, 1, 1), s::set),
    row!("setnx", 3, "write denyoom fast", "@string", (1, 1, 1), s::setnx),
    row!("setex", 4, "write denyoom", "@string", (1, 1, 1), s::setex),
    row!("psetex", 4, "write denyoom", "@string", (1, 1, 1), s::psetex),
    row!("mget", -2, "readonly fast", "@string", (1, -1, 1), s::mget),
    row!("mset", -3, "write denyoom", "@string", (1, -1, 2), s::mset),
    row!("msetnx", -3, "write denyoom", "@string", (1, -1, 2), s::msetnx),
    row!("getset", 3, "write denyoom fast", "@string", (1, 1, 1), s::getset),
    row!("getdel", 2, "write fast", "@string", (1, 1, 1), s::getdel),
    row!("getex", -2, "write fast", "@string", (1, 1, 1), s::getex),
    row!("append", 3, "write denyoom fast", "@string", (1, 1, 1), s::append),
    row!("strlen", 2, "readonly fast", "@string", (1, 1, 1), s::strlen),
    row!("incr", 2, "write denyoom fast", "@string", (1, 1, 1), s::incr),
    row!("decr", 2, "write denyoom fast", "@string", (1, 1, 1), s::decr),
    row!("incrby", 3, "write denyoom fast", "@string", (1, 1, 1), s::incrby),
    row!("decrby", 3, "write denyoom fast", "@string", (1, 1, 1), s::decrby),
    row!("incrbyfloat", 3, "write denyoom fast", "@string", (1, 1, 1), s::incrbyfloat),
    row!("getrange", 4, "readonly", "@string", (1, 1, 1), s::getrange),
    row!("substr", 4, "readonly", "@string", (1, 1, 1), s::getrange),
    row!("setrange", 4, "write denyoom", "@string", (1, 1, 1), s::setrange),
    row!("lcs", -3, "readonly", "@string", (1, 2, 1), s::lcs),
    // keys
    row!("del", -2, "write", "@keyspace", (1, -1, 1), k::del),
    row!("unlink", -2, "write fast", "@keyspace", (1, -1, 1), k::del),
    row!("exists", -2, "readonly fast", "@keyspace", (1, -1, 1), k::exists),
    row!("type", 2, "readonly fast", "@keyspace", (1, 1, 1), k::type_),
    row!("rename", 3, "write", "@keyspace", (1, 2, 1), k::rename),
    row!("renamenx", 3, "write fast", "@keyspace", (1, 2, 1), k::renamenx),
    row!("copy", -3, "write denyoom", "@keyspace", (1, 2, 1), k::copy),
    row!("move", 3, "write fast", "@keyspace", (1, 1, 1), k::move_),
    row!("keys", 2, "readonly", "@keyspace @dangerous", (0, 0, 0), k::keys),
    row!("scan", -2, "readonly", "@keyspace", (0, 0, 0), k::scan),
    row!("randomkey", 1, "readonly", "@keyspace", (0, 0, 0), k::randomkey),
    row!("touch", -2, "readonly fast", "@keyspace", (1, -1, 1), k::touch),
    row!("object", -2, "", "", (0, 0, 0), container, k::OBJECT_SUBCOMMANDS),
    row!("memory", -2, "", "", (0, 0, 0), container, memory::SUBCOMMANDS),
    row!("expire", -3, "write fast", "@keyspace", (1, 1, 1), k::expire),
    row!("pexpire", -3, "write fast", "@keyspace", (1, 1, 1), k::pexpire),
    row!("expireat", -3, "write fast", "@keyspace", (1, 1, 1), k::expireat),
    row!("pexpireat", -3, "write fast", "@keyspace", (1, 1, 1), k::pexpireat),
    row!("ttl", 2, "readonly fast", "@keyspace", (1, 1, 1), k::ttl),
    row!("pttl", 2, "readonly fast", "@keyspace", (1, 1, 1), k::pttl),
    row!("expiretime", 2, "readonly fast", "@keyspace", (1, 1, 1), k::expiretime),
    row!("pexpiretime", 2, "readonly fast", "@keyspace", (1, 1, 1), k::pexpiretime),
    row!("persist", 2, "write fast", "@keyspace", (1, 1, 1), k::persist),
    row!("dbsize", 1, "readonly fast", "@keyspace", (0, 0, 0), k::dbsize),
    row!("flushdb", -1, "write", "@keyspace @dangerous", (0, 0, 0), k::flushdb),
    row!("flushall", -1, "write", "@keyspace @dangerous", (0, 0, 0), k::flushall),
    // server
    row!("command", -1, "loading stale", "@connection", (0, 0, 0), sv::command, sv::COMMAND_SUBCOMMANDS),
    row!("info", -1, "loading stale", "@dangerous", (0, 0, 0), info::info),
    row!("config", -2, "", "", (0, 0, 0), container, cf::SUBCOMMANDS),
    row!("time", 1, "loading stale fast", "", (0, 0, 0), sv::time),
    row!("debug", -2, "admin noscript loading stale", "", (0, 0, 0), sv::debug),
    row!("shutdown", -1, "admin noscript loading stale no_multi allow_busy", "", (0, 0, 0), sv::shutdown),
];
