//! Benchmarks (`make bench`): each suite prints one table row per measurement and writes a CSV
//! under `target/bench/`. Performance is measured here, never asserted in timed tests.

pub mod fixture;
pub mod latency;
pub mod netplan;
pub mod process;
pub mod rate_limits;
pub mod raw_aws;
pub mod reachability;
pub mod refresh;
pub mod spokes;
pub mod terraform;

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

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Writes `target/bench/<name>.csv` and returns its path.
    pub fn save(&self) -> std::io::Result<PathBuf> {
        let dir = output_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.csv", self.name));
        let mut file = std::fs::File::create(&path)?;
        writeln!(file, "{}", csv_line(&self.columns))?;
        for row in &self.rows {
            writeln!(file, "{}", csv_line(row))?;
        }
        Ok(path)
    }
}

/// One CSV record (RFC 4180): cells with commas, quotes or line breaks are quoted.
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|cell| {
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_needed() {
        let cells = ["plain", "a, b", "say \"hi\"", "-parallelism=10"].map(String::from);
        assert_eq!(
            csv_line(&cells),
            "plain,\"a, b\",\"say \"\"hi\"\"\",-parallelism=10"
        );
    }

    #[test]
    fn median_of_odd_and_even_samples() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
