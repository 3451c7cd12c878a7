//! FUNCTION libraries: what FUNCTION LOAD registered.
//!
//! A library is Lua code whose first line is `#!lua name=<lib>`. Loading
//! runs it once in an environment that holds only the library API
//! (`redis.register_function`, `redis.log`, ...); every registered function
//! keeps its callback in the Lua registry and runs later (FCALL) with the
//! full API. Function names are global across libraries.

use mlua::RegistryKey;
use std::collections::BTreeMap;

/// Function flags accepted by `redis.register_function` (Redis 7.0).
pub const FLAG_NAMES: &[&str] = &["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"];

/// One registered function.
pub struct Function {
    /// Name (global).
    pub name: String,
    /// The callback, in the Lua registry.
    pub callback: RegistryKey,
    /// Flags in the order given.
    pub flags: Vec<String>,
    /// Description, if any.
    pub description: Option<Vec<u8>>,
}

impl Function {
    /// True if the function declared `no-writes`.
    pub fn no_writes(&self) -> bool {
        self.flags.iter().any(|f| f == "no-writes")
    }
}

/// A loaded library.
pub struct Library {
    /// Name from the shebang.
    pub name: String,
    /// Full source code.
    pub code: Vec<u8>,
    /// Its functions, by name.
    pub functions: BTreeMap<String, Function>,
}

/// The libraries, with an index of function names.
#[derive(Default)]
pub struct Registry {
    /// Libraries by name.
    pub libraries: BTreeMap<String, Library>,
    /// Function name to library name.
    pub index: BTreeMap<String, String>,
}

impl Registry {
    /// Looks up a function by name.
    pub fn function(&self, name: &str) -> Option<&Function> {
        let lib = self.index.get(name)?;
        self.libraries.get(lib)?.functions.get(name)
    }

    /// Removes a library and its functions from the index.
    pub fn remove(&mut self, name: &str) -> Option<Library> {
        let lib = self.libraries.remove(name)?;
        for f in lib.functions.keys() {
            self.index.remove(f);
        }
        Some(lib)
    }

    /// Adds a library (its function names must be free).
    pub fn insert(&mut self, lib: Library) {
        for f in lib.functions.keys() {
            self.index.insert(f.clone(), lib.name.clone());
        }
        self.libraries.insert(lib.name.clone(), lib);
    }

    /// Number of functions.
    pub fn function_count(&self) -> usize {
        self.index.len()
    }
}

/// Redis's rule for library and function names: letters, digits and
/// underscores, at least one character.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Parses a library's `#!lua name=<lib>` header: the engine and the name.
pub fn parse_header(code: &[u8]) -> Result<(String, String), String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let end = code.iter().position(|&b| b == b'\n').unwrap_or(code.len());
    let line = String::from_utf8_lossy(&code[2..end]).into_owned();
    let Some(parts) = hematite_common::args::split_args(line.as_bytes()) else {
        return Err("Invalid library metadata".into());
    };
    let mut parts = parts.into_iter();
    let engine = parts.next().map(|p| String::from_utf8_lossy(&p).into_owned()).unwrap_or_default();
    let mut name = None;
    for p in parts {
        let p = String::from_utf8_lossy(&p).into_owned();
        match p.strip_prefix("name=") {
            Some(n) => name = Some(n.to_string()),
            None => return Err(format!("Invalid metadata value given: {p}")),
        }
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    Ok((engine, name))
}
