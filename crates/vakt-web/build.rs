//! Embeds every Fluent file under `i18n/<lang>/*.ftl`: generates a table of `include_str!`s so that a new
//! capability only drops its `.ftl` files into the folders, without editing code.

use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut rows = Vec::new();
    for lang in ["nb", "sv", "da", "en"] {
        let dir = root.join(lang);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut names: Vec<String> = fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".ftl"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for name in names {
            let path = dir.join(&name);
            println!("cargo:rerun-if-changed={}", path.display());
            rows.push(format!(
                "    ({lang:?}, {name:?}, include_str!({:?})),\n",
                path.display().to_string()
            ));
        }
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("ftl_files.rs");
    let body = format!(
        "/// (language, file name, contents) of every embedded Fluent file.\npub static FTL_FILES: &[(&str, &str, &str)] = &[\n{}];\n",
        rows.concat()
    );
    if let Err(e) = fs::write(&out, body) {
        panic!("cannot write {}: {e}", out.display());
    }
}
