//! `eca-guard-server`: the paired receiver (issue 5 builds it out).

fn main() {
    eprintln!("eca-guard-server: not built yet");
    std::process::exit(2);
}
