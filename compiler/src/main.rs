//! The `archc` binary: a thin shell around `archc::cli::run`.

use std::io::IsTerminal as _;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A build makes and frees gigabytes in small pieces; with transparent huge pages each
    // fresh piece of the heap cost the kernel 2 MB of zeroing (a third of a large build's
    // time, measured). Not being able to say so is no reason to stop.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let terminal = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let code = archc::cli::run(
        &args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        terminal,
    );
    ExitCode::from(code)
}
