//! Benchmarks (`make bench`): each suite prints one table row per measurement and writes a CSV
//! under `target/bench/`. Performance is measured here, never asserted in timed tests.

pub mod netplan;
pub mod process;

use std::io::Write as _;
use std::path::PathBuf;

/// A table of results: printed as it fills, saved as CSV at the end.
pub struct Table {
    name: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(name: &str, columns: &[&str]) -> Self {
        println!("\n== {name}");
        println!("{}", columns.join(" | "));
        Self {
            name: name.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        println!("{}", cells.join(" | "));
        self.rows.push(cells);
    }

    /// Writes `target/bench/<name>.csv` and returns its path.
    pub fn save(&self) -> std::io::Result<PathBuf> {
        let dir = output_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.csv", self.name));
        let mut file = std::fs::File::create(&path)?;
        writeln!(file, "{}", self.columns.join(","))?;
        for row in &self.rows {
            writeln!(
                file,
                "{}",
                row.iter()
                    .map(|c| c.replace(',', ";"))
                    .collect::<Vec<_>>()
                    .join(",")
            )?;
        }
        Ok(path)
    }
}

pub fn output_dir() -> PathBuf {
    crate::docs::repository_root().join("target/bench")
}

/// Median of a sample, in the sample's unit.
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    let n = samples.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}
