//! The benchmark's texts and their vectors: sentences from a small grammar (times, people,
//! verbs, things, places, reasons) drawn from a fixed seed, so every run sees the same texts and
//! texts vary while sharing words; their all-MiniLM-L6-v2 vectors, made once by the local model
//! and cached in `.gathering/bench-data/memory-corpus/` (git-ignored) for later runs.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use gathering::llm::local::{CallerKey, Device, LocalModels, LocalSettings};

/// The length of a MiniLM vector.
pub const DIMENSION: usize = 384;
/// Texts per call to the local model.
pub const BATCH: usize = 64;

/// SplitMix64: a tiny generator whose sequence never changes with a crate upgrade (the cache
/// file is only valid while the texts it was made from are the same).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One of the `|`-separated words of `words`.
    fn pick(&mut self, words: &'static str) -> &'static str {
        let n = words.split('|').count();
        words.split('|').nth(self.below(n)).unwrap_or_default()
    }
}

const TIMES: &str = concat!(
    "On Monday morning|Last Tuesday|Yesterday afternoon|Early on Friday|Late last night|",
    "This morning|Before the holidays|After lunch|During the spring sprint|",
    "At the end of March|Last Thursday|Every other week|In early January|",
    "On Sunday evening|Around midnight|Two days ago|Last summer|",
    "At the start of the quarter|After the board meeting|Before the deadline|",
    "In the autumn|On the first of May|Over the weekend|Earlier this month|At dawn|",
    "Right after the standup|In December|Last winter|Three weeks ago|Earlier today",
);
const SUBJECTS: &str = concat!(
    "the new intern|our lead engineer|Maria|the finance team|a support agent|",
    "the design lead|Tom from sales|the night shift|the data scientist|my manager|",
    "the security auditor|a junior developer|the marketing director|the product owner|",
    "Aisha|the on-call engineer|the legal department|a contractor|the research group|",
    "the head chef|our landlord|the school principal|the travel agent|a volunteer|",
    "the hospital nurse|the project sponsor|the release manager|Kenji|the accountant|",
    "the customer|the QA tester|the office manager|the CTO|the librarian|the gardener|",
    "the bus driver|a journalist|the architect|the pharmacist|Lucas",
);
const VERBS: &str = concat!(
    "reviewed|approved|rejected|moved|cancelled|rescheduled|repaired|ordered|shipped|",
    "updated|tested|audited|summarised|presented|signed|lost|found|migrated|backed up|",
    "deleted|archived|translated|priced|booked|painted|cleaned|measured|photographed|",
    "discussed|planned|postponed|delivered|installed|replaced|inspected|documented|",
    "benchmarked|misplaced|renewed|borrowed",
);
const ADJECTIVES: &str = concat!(
    "quarterly|old|new|broken|urgent|shared|confidential|annual|blue|spare|draft|final|",
    "legacy|expensive|second-hand|weekly|monthly|printed|encrypted|damaged|small|large|",
    "temporary|public|private",
);
const OBJECTS: &str = concat!(
    "budget|laptop|contract|invoice|server|report|database|printer|roadmap|presentation|",
    "car|bicycle|kitchen|website|newsletter|passport|train tickets|hotel booking|",
    "insurance policy|payroll|spreadsheet|slide deck|coffee machine|delivery van|",
    "warehouse inventory|marketing plan|source code|test suite|backup tapes|",
    "conference room|office keys|vaccine schedule|menu|garden shed|roof|water heater|",
    "photo album|guitar|tax return|lease|wedding plan|birthday cake|product launch|",
    "customer survey|API documentation|mobile app|firewall rules|login page|",
    "shipping labels|lab results|grant proposal|course syllabus|recipe book|phone bill|",
    "sales forecast|hiring plan|bug tracker|design mockups|employee handbook|",
    "security badge",
);
const PLACES: &str = concat!(
    "in the Berlin office|at home|in the warehouse|at the airport|in the cafeteria|",
    "on the third floor|in Lisbon|at the client site|in the basement|over video call|",
    "in the garden|at the bank|in the lab|at the train station|in Tokyo|",
    "in the meeting room|on the shared drive|at the hospital|in the library|",
    "at the conference|in the parking lot|on the rooftop|at the school|",
    "in the data center|in Nairobi|at the hotel|in the workshop|at the museum|",
    "in the old town|by the river|in the staging environment|at the post office|",
    "in Montreal|at the gym|in the kitchen|at the supplier|in São Paulo|at the bakery|",
    "in the server room|at the town hall",
);
const REASONS: &str = concat!(
    "because the budget was cut|so that we can ship on time|as the auditors asked|",
    "before anyone noticed|with help from the vendor|for the second time|",
    "without telling anyone|after many complaints|to save money|",
    "at the customer's request|while the team was away|despite the rain",
);

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The first letter lowered ("On Monday" → "on Monday"; no time starts with a name).
fn lowered(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// One sentence of the grammar, in one of three shapes.
pub fn sentence(rng: &mut Rng) -> String {
    let time = rng.pick(TIMES);
    let subject = rng.pick(SUBJECTS);
    let verb = rng.pick(VERBS);
    let thing = match rng.below(3) {
        0 => rng.pick(OBJECTS).to_owned(),
        _ => format!("{} {}", rng.pick(ADJECTIVES), rng.pick(OBJECTS)),
    };
    let place = rng.pick(PLACES);
    let reason = match rng.below(2) {
        0 => format!(" {}", rng.pick(REASONS)),
        _ => String::new(),
    };
    match rng.below(3) {
        0 => format!("{time}, {subject} {verb} the {thing} {place}{reason}."),
        1 => format!(
            "{} {verb} the {thing} {place} {}{reason}.",
            capitalised(subject),
            lowered(time)
        ),
        _ => format!("{time}, the {thing} was {verb} by {subject} {place}{reason}."),
    }
}

/// `n` sentences of stream `seed`.
pub fn sentences(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| sentence(&mut rng)).collect()
}

/// `n` sentences of stream `seed`, none repeated and none in `avoid`.
pub fn fresh(seed: u64, n: usize, avoid: &std::collections::HashSet<&str>) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let s = sentence(&mut rng);
        if !avoid.contains(s.as_str()) && seen.insert(s.clone()) {
            out.push(s);
        }
    }
    out
}

/// The local MiniLM engine on this machine's CPU, as the server runs it.
pub fn local_models(root: &Path) -> LocalModels {
    LocalModels::new(LocalSettings {
        dir: root.join(".gathering/models"),
        device: Device::choose("auto").0,
        max_batch: 4,
        default_max_tokens: 64,
    })
}

/// Embeds `texts` `BATCH` at a time, handing each batch's vectors to `each`.
pub async fn embed(models: &LocalModels, texts: &[String], mut each: impl FnMut(&[Vec<f32>])) {
    for batch in texts.chunks(BATCH) {
        let e = models
            .embed_as(CallerKey::nil(), batch.to_vec())
            .await
            .expect("the local model embeds");
        each(&e.vectors);
    }
}

const MAGIC: &[u8; 8] = b"GMCORP01";

/// The cache of stream `seed`: a header (magic, seed, dimension, count), then `count` vectors
/// of little-endian f32, in the order of the stream. Any N up to `count` reads a prefix, so a
/// larger N extends the file instead of starting over.
fn cache_path(root: &Path, seed: u64) -> PathBuf {
    root.join(format!(
        ".gathering/bench-data/memory-corpus/minilm-{DIMENSION}-seed{seed}.f32"
    ))
}

/// How many vectors the cache holds.
fn cached_count(path: &Path, seed: u64) -> usize {
    let Ok(mut f) = std::fs::File::open(path) else {
        return 0;
    };
    let mut header = [0u8; 28];
    if f.read_exact(&mut header).is_err() || &header[..8] != MAGIC {
        return 0;
    }
    let file_seed = u64::from_le_bytes(header[8..16].try_into().unwrap());
    let dim = u32::from_le_bytes(header[16..20].try_into().unwrap()) as usize;
    let count = u64::from_le_bytes(header[20..28].try_into().unwrap()) as usize;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0) as usize;
    if file_seed != seed || dim != DIMENSION || len < 28 + count * DIMENSION * 4 {
        return 0;
    }
    count
}

fn write_header(f: &mut std::fs::File, seed: u64, count: usize) {
    let mut header = Vec::with_capacity(28);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&seed.to_le_bytes());
    header.extend_from_slice(&(DIMENSION as u32).to_le_bytes());
    header.extend_from_slice(&(count as u64).to_le_bytes());
    f.seek(SeekFrom::Start(0)).unwrap();
    f.write_all(&header).unwrap();
}

/// What the corpus cost.
#[derive(Debug, Clone)]
pub struct Made {
    /// Vectors embedded by this run (the rest came from the cache).
    pub embedded: usize,
    pub seconds: f64,
    pub path: PathBuf,
    /// Texts embedded and seconds spent by every run that filled the cache (its ledger,
    /// `<cache>.log`: one `texts seconds` line per run).
    pub ledger: (usize, f64),
}

/// Adds a run's embedding to the cache's ledger; returns the totals.
fn ledger(cache: &Path, add: Option<(usize, f64)>) -> (usize, f64) {
    let path = cache.with_extension("log");
    if let Some((texts, seconds)) = add {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        writeln!(f, "{texts} {seconds:.1}").unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let (t, s) = l.split_once(' ')?;
            Some((t.parse::<usize>().ok()?, s.parse::<f64>().ok()?))
        })
        .fold((0, 0.0), |(t, s), (a, b)| (t + a, s + b))
}

/// The `n` texts of stream `seed` and their vectors: from the cache, the missing tail embedded
/// by `models` (with progress on stderr) and appended to it.
pub async fn corpus(
    root: &Path,
    models: &LocalModels,
    seed: u64,
    n: usize,
) -> (Vec<String>, Vec<Vec<f32>>, Made) {
    let texts = sentences(seed, n);
    let path = cache_path(root, seed);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let have = cached_count(&path, seed);
    let began = Instant::now();
    let mut embedded = 0;
    if have == 0 {
        // A new cache: the ledger of an old one says nothing about it.
        let _ = std::fs::remove_file(path.with_extension("log"));
    }
    if have < n {
        eprintln!(
            "embedding {} texts with the local model (cached: {have}) into {}",
            n - have,
            path.display()
        );
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .unwrap();
        write_header(&mut f, seed, have);
        f.set_len((28 + have * DIMENSION * 4) as u64).unwrap();
        let mut count = have;
        let todo = n - have;
        embed(models, &texts[have..], |batch| {
            f.seek(SeekFrom::End(0)).unwrap();
            let mut bytes = Vec::with_capacity(batch.len() * DIMENSION * 4);
            for v in batch {
                assert_eq!(v.len(), DIMENSION);
                for x in v {
                    bytes.extend_from_slice(&x.to_le_bytes());
                }
            }
            f.write_all(&bytes).unwrap();
            count += batch.len();
            write_header(&mut f, seed, count);
            let done = count - have;
            if done % (BATCH * 16) < batch.len() || done == todo {
                let rate = done as f64 / began.elapsed().as_secs_f64();
                eprintln!(
                    "  {done}/{todo} embedded, {rate:.1} texts/s, ~{:.0} s left",
                    (todo - done) as f64 / rate
                );
            }
        })
        .await;
        f.sync_all().unwrap();
        embedded = todo;
    }
    let seconds = began.elapsed().as_secs_f64();
    let ledger = ledger(&path, (embedded > 0).then_some((embedded, seconds)));
    let mut bytes = Vec::new();
    let mut f = std::fs::File::open(&path).unwrap();
    f.seek(SeekFrom::Start(28)).unwrap();
    f.take((n * DIMENSION * 4) as u64)
        .read_to_end(&mut bytes)
        .unwrap();
    let vectors = bytes
        .chunks_exact(DIMENSION * 4)
        .map(|v| {
            v.chunks_exact(4)
                .map(|x| f32::from_le_bytes(x.try_into().unwrap()))
                .collect()
        })
        .collect();
    (
        texts,
        vectors,
        Made {
            embedded,
            seconds,
            path,
            ledger,
        },
    )
}
