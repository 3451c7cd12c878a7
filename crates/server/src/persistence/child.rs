//! Background saves in a forked child, as Redis does them.
//!
//! [`fork_job`] is called by the thread that holds the state lock, so the
//! child starts with a consistent image of the keyspace; copy-on-write
//! makes the parent pay only for the pages it changes while the child
//! runs. The child:
//!
//! - closes every inherited descriptor but stdin/stdout/stderr and its
//!   report pipe (listening sockets and client connections stay with the
//!   parent, so a restarted server can bind its port even while an
//!   orphaned child finishes);
//! - never touches tokio, the logger or any lock another thread may hold;
//!   it allocates (jemalloc's fork handlers keep its locks sane) and does
//!   plain blocking file I/O;
//! - runs at a lower priority (nice 10), so on a busy machine the
//!   server's clients come first and the snapshot takes the spare CPU;
//! - stops (without renaming anything into place) if its parent dies, so a
//!   restarted server never sees an old snapshot replace a newer one;
//! - writes one line to the pipe, `ok <cow-bytes>` or `err <message>`,
//!   and exits with `_exit`, which runs no destructors or atexit handlers.
//!
//! The parent polls the child from the cron ([`try_reap`]).

use std::io::Read;
use std::os::fd::{FromRawFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// The parent's pid as seen by the child at fork time (0 in the parent).
static PARENT: AtomicI32 = AtomicI32::new(0);

/// In a child: true when the parent has died (the child was re-parented).
pub fn parent_gone() -> bool {
    let p = PARENT.load(Ordering::Relaxed);
    p != 0 && unsafe { libc::getppid() } != p
}

/// How a child ended.
#[derive(Debug)]
pub enum Outcome {
    /// Exit 0; copy-on-write bytes the child reported.
    Ok { cow: u64 },
    /// It failed; the reason.
    Failed(String),
}

/// Forks and runs `job` in the child. Returns the child's pid and the read
/// end of its report pipe.
pub fn fork_job(job: impl FnOnce() -> Result<(), String>) -> Result<(i32, RawFd), String> {
    let mut fds = [0 as RawFd; 2];
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    let parent = unsafe { libc::getpid() };
    match unsafe { libc::fork() } {
        -1 => {
            let e = std::io::Error::last_os_error();
            unsafe {
                libc::close(fds[0]);
                libc::close(fds[1]);
            }
            Err(e.to_string())
        }
        0 => {
            PARENT.store(parent, Ordering::Relaxed);
            close_inherited(fds[1]);
            // Yield the CPU to the server when they compete: the clients'
            // latency matters more than how fast the snapshot finishes.
            unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                .unwrap_or_else(|_| Err("the child panicked".to_string()));
            let line = match &result {
                Ok(()) => format!("ok {}\n", private_dirty()),
                Err(e) => format!("err {}\n", e.replace('\n', " ")),
            };
            unsafe {
                libc::write(fds[1], line.as_ptr().cast(), line.len());
                libc::_exit(if result.is_ok() { 0 } else { 1 });
            }
        }
        pid => {
            unsafe { libc::close(fds[1]) };
            Ok((pid, fds[0]))
        }
    }
}

/// Closes every descriptor above 2 except `keep`.
fn close_inherited(keep: RawFd) {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else { return };
    let fds: Vec<RawFd> = dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect();
    for fd in fds {
        if fd > 2 && fd != keep {
            unsafe { libc::close(fd) };
        }
    }
}

/// The child's private dirty memory: the pages copy-on-write duplicated.
fn private_dirty() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/smaps_rollup") else { return 0 };
    s.lines()
        .find_map(|l| l.strip_prefix("Private_Dirty:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Polls a child: `None` while it runs.
pub fn try_reap(pid: i32, pipe: RawFd) -> Option<Outcome> {
    let mut status = 0;
    let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    if r == 0 {
        return None;
    }
    let report = read_report(pipe);
    if r < 0 {
        return Some(Outcome::Failed(format!("waitpid: {}", std::io::Error::last_os_error())));
    }
    if libc::WIFSIGNALED(status) {
        return Some(Outcome::Failed(format!("the child was terminated by signal {}", libc::WTERMSIG(status))));
    }
    let code = libc::WEXITSTATUS(status);
    match report.as_deref().map(|s| s.trim_end()) {
        Some(s) if code == 0 && s.starts_with("ok") => Some(Outcome::Ok { cow: s[2..].trim().parse().unwrap_or(0) }),
        Some(s) if s.starts_with("err ") => Some(Outcome::Failed(s[4..].to_string())),
        _ => Some(Outcome::Failed(format!("the child exited with code {code}"))),
    }
}

/// Kills a child (SHUTDOWN, BGSAVE cancelled) and waits for it.
pub fn kill(pid: i32, pipe: RawFd) {
    unsafe {
        libc::kill(pid, libc::SIGUSR1);
        libc::kill(pid, libc::SIGKILL);
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
    }
    let _ = read_report(pipe);
}

fn read_report(pipe: RawFd) -> Option<String> {
    // SAFETY: the pipe's read end belongs to the caller and is closed here.
    let mut f = unsafe { std::fs::File::from_raw_fd(pipe) };
    let mut s = String::new();
    unsafe { libc::fcntl(pipe, libc::F_SETFL, libc::O_NONBLOCK) };
    f.read_to_string(&mut s).ok()?;
    Some(s)
}
