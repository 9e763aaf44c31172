//! `gathering pipeline validate FILE`: checks a pipeline file without a server and prints every
//! problem with its code and place; exits 1 when there is any.

use std::process::ExitCode;

use super::CliResult;
use super::args::ValidateArgs;

/// `pipeline validate FILE`.
pub fn validate(args: &ValidateArgs) -> CliResult {
    let text =
        std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!(
                "{}:{}:{}: not JSON: {e}",
                args.file.display(),
                e.line(),
                e.column()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    match crate::orchestration::pipeline::validate(&doc) {
        Ok(p) => {
            println!(
                "{}: valid ({} nodes, {} edges)",
                args.file.display(),
                p.nodes.len(),
                p.edges.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems.listed {
                let mut place = Vec::new();
                if let Some(node) = &p.node_id {
                    place.push(format!("node {node}"));
                }
                if let Some(edge) = &p.edge_id {
                    place.push(format!("edge {edge}"));
                }
                if let Some(path) = &p.path {
                    place.push(path.clone());
                }
                println!("{:17} {}: {}", p.code, place.join(" "), p.message);
            }
            if problems.omitted > 0 {
                println!("... and {} more", problems.omitted);
            }
            eprintln!("{}: {} problem(s)", args.file.display(), problems.total());
            Ok(ExitCode::FAILURE)
        }
    }
}
