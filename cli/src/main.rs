//! `eca-guard`: the core's checks as a command-line tool (issue 6 builds it out).

fn main() {
    eprintln!("eca-guard: not built yet");
    std::process::exit(2);
}
