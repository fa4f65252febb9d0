//! Writes a synthetic workspace to disk, to time the command line on it:
//! `cargo run --release -p archc-tests --example synthetic -- DIR FILES PER_FILE`
//! (`1000 100`: 100,000 components in 1,000 files), then `archc check DIR`, `archc build DIR`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, files, per_file] = args.as_slice() else {
        eprintln!("usage: synthetic DIR FILES PER_FILE");
        std::process::exit(2);
    };
    let (Ok(files), Ok(per_file)) = (files.parse(), per_file.parse()) else {
        eprintln!("FILES and PER_FILE are numbers");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(dir);
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join("archc.toml"), ""))
        .and_then(|()| {
            archc::synthetic::workspace(files, per_file)
                .into_iter()
                .try_for_each(|(path, text)| std::fs::write(dir.join(path), text))
        });
    if let Err(error) = written {
        eprintln!("cannot write {}: {error}", dir.display());
        std::process::exit(1);
    }
}
