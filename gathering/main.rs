//! The `gathering` binary: the command line lives in the library (`gathering::cli`), so this
//! only runs it.

fn main() -> std::process::ExitCode {
    gathering::cli::main()
}
