//! The `recoupe` command: parse the arguments, run, exit with the code.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
