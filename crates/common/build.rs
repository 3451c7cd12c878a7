//! Build script: compiles the small C helper that gives the crate access to
//! the platform's `long double` (see `c/longdouble.c`).

fn main() {
    println!("cargo:rerun-if-changed=c/longdouble.c");
    cc::Build::new()
        .file("c/longdouble.c")
        .warnings(true)
        .extra_warnings(true)
        .compile("hematite_longdouble");
}
