fn main() {
    std::process::exit(townsquare::cli::main());
}
