//! The local models with their real weights (installed by `scripts/bootstrap models`), against
//! reference numbers computed once by independent implementations and committed under
//! `tests/fixtures/models/` (`scripts/reference/` recomputes them): sentence-transformers for
//! MiniLM, and the same GGUF dequantised to float32 and run by another implementation for
//! SmolLM2.

use std::path::PathBuf;
use std::sync::OnceLock;

use burn::backend::Flex;
use serde_json::Value;

use gathering::llm::Message;
use gathering::llm::local::bpe::Tokenizer;
use gathering::llm::local::gguf::Gguf;
use gathering::llm::local::llama::{Llama, Weights};
use gathering::llm::local::minilm::MiniLm;
use gathering::llm::local::sampling::{argmax, chatml};
use gathering::llm::local::{CHAT_FILE, EMBEDDING_DIR};

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".gathering/models")
}

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn minilm() -> &'static MiniLm<Flex> {
    static MODEL: OnceLock<MiniLm<Flex>> = OnceLock::new();
    MODEL.get_or_init(|| {
        MiniLm::load(&models_dir().join(EMBEDDING_DIR), &Default::default())
            .expect("all-MiniLM-L6-v2 (run scripts/bootstrap models)")
    })
}

struct Chat {
    tokenizer: Tokenizer,
    model: Llama<Flex>,
}

fn smollm() -> &'static Chat {
    static MODEL: OnceLock<Chat> = OnceLock::new();
    MODEL.get_or_init(|| {
        let gguf = Gguf::open(&models_dir().join(CHAT_FILE))
            .expect("SmolLM2 GGUF (run scripts/bootstrap models)");
        Chat {
            tokenizer: Tokenizer::from_gguf(&gguf).unwrap(),
            model: Llama::load(&gguf, &Default::default(), Weights::Blocks).unwrap(),
        }
    })
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn minilm_matches_sentence_transformers() {
    let reference = fixture("minilm.json");
    let cases = reference["cases"].as_array().unwrap();
    let texts: Vec<String> = cases
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect();
    // Batched together: padding must not change any text's vector.
    let (batched, _) = minilm().embed(&texts).unwrap();
    for (case, vector) in cases.iter().zip(&batched) {
        let text = case["text"].as_str().unwrap();
        let ids: Vec<u32> = case["input_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(
            minilm().token_ids(text).unwrap(),
            ids,
            "token ids of {text:?}"
        );
        let expected = floats(&case["embedding"]);
        assert_eq!(vector.len(), 384);
        let c = cosine(vector, &expected);
        assert!(c >= 0.9999, "{text:?}: cosine {c} with the reference");
        let (alone, _) = minilm().embed(std::slice::from_ref(&texts[0])).unwrap();
        assert!(cosine(&alone[0], &batched[0]) > 0.99999);
    }
}

#[test]
fn minilm_puts_paraphrases_closer_than_unrelated_sentences() {
    let texts = [
        "A man is playing a guitar.",
        "Someone is strumming a guitar.",
        "The central bank raised interest rates.",
        "How do I reset my password?",
        "I forgot my login credentials and need a new password.",
    ]
    .map(String::from);
    let (v, _) = minilm().embed(&texts).unwrap();
    for x in &v {
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]) + 0.3);
    assert!(cosine(&v[3], &v[4]) > cosine(&v[3], &v[2]) + 0.3);
    assert!(cosine(&v[3], &v[4]) > cosine(&v[3], &v[0]) + 0.3);
}

fn greedy(chat: &Chat, question: &str, max: usize) -> String {
    let prompt = chat
        .tokenizer
        .encode(&chatml(&[Message::user(question)], &[]));
    let mut cache = chat.model.new_cache();
    let mut logits = chat
        .model
        .forward(&mut [(&mut cache, prompt.as_slice())])
        .remove(0);
    let mut out = Vec::new();
    for _ in 0..max {
        let next = argmax(&logits);
        if chat.tokenizer.is_special(next) {
            break;
        }
        out.push(next);
        logits = chat
            .model
            .forward(&mut [(&mut cache, &[next][..])])
            .remove(0);
    }
    chat.tokenizer.decode(&out)
}

#[test]
fn smollm2_answers_factual_questions_greedily() {
    let chat = smollm();
    let japan = greedy(chat, "What is the capital of Japan?", 16);
    assert!(japan.contains("Tokyo"), "{japan:?}");
    let gold = greedy(chat, "What is the chemical symbol for gold?", 16);
    assert!(gold.contains("Au"), "{gold:?}");
}

#[test]
fn smollm2_batched_sequences_match_running_them_alone() {
    let chat = smollm();
    let a = chat.tokenizer.encode(&chatml(
        &[Message::user("What is the capital of Japan?")],
        &[],
    ));
    let b = chat.tokenizer.encode(&chatml(
        &[Message::user("Write a haiku about the sea.")],
        &[],
    ));
    let mut alone = chat.model.new_cache();
    let la = chat
        .model
        .forward(&mut [(&mut alone, a.as_slice())])
        .remove(0);
    let (mut ca, mut cb) = (chat.model.new_cache(), chat.model.new_cache());
    let both = chat
        .model
        .forward(&mut [(&mut ca, a.as_slice()), (&mut cb, b.as_slice())]);
    let max_diff = la
        .iter()
        .zip(&both[0])
        .map(|(x, y)| (x - y).abs())
        .fold(0f32, f32::max);
    assert!(max_diff < 1e-3, "batching changed logits by {max_diff}");
    // A decode step shared by two sequences at different lengths.
    let (na, nb) = (argmax(&both[0]), argmax(&both[1]));
    let step = chat
        .model
        .forward(&mut [(&mut ca, &[na][..]), (&mut cb, &[nb][..])]);
    let single = chat.model.forward(&mut [(&mut alone, &[na][..])]).remove(0);
    let max_diff = single
        .iter()
        .zip(&step[0])
        .map(|(x, y)| (x - y).abs())
        .fold(0f32, f32::max);
    assert!(
        max_diff < 1e-3,
        "a shared decode step changed logits by {max_diff}"
    );
}

#[test]
fn smollm2_tokenizer_matches_the_reference_ids_and_round_trips() {
    let reference = fixture("smollm2.json");
    let tokenizer = &smollm().tokenizer;
    for case in reference["tokenizer"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let want: Vec<u32> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as u32)
            .collect();
        let got = tokenizer.encode(text);
        assert_eq!(got, want, "ids of {text:?}");
        assert_eq!(tokenizer.decode(&got), text, "round trip of {text:?}");
    }
    // A mixed corpus: code, Unicode, digits and whitespace survive encode + decode exactly.
    let corpus = "fn main() {\n\tlet x = 3.14159 * 2_000;\n    println!(\"{x:?}\");\n}\n\
                  Ünïcödé: 日本語のテキスト, emoji 🦀🚀, Ελληνικά, العربية\n\
                  digits 0123456789 9876543210, spaces   and\t\ttabs\r\n<|im_start|>user";
    assert_eq!(tokenizer.decode(&tokenizer.encode(corpus)), corpus);
}

/// Next-token logits for fixed ChatML prompts against the float32 reference (the same GGUF
/// dequantised and run by transformers). Tolerance: 0.02 on logits of magnitude ~10-30. Our
/// products use the same dequantised values in f32, so only the order of additions differs
/// (llama.cpp, which rounds activations to 8 bits, is off by up to ~0.4 on these).
#[test]
fn smollm2_logits_match_the_float32_reference() {
    let reference = fixture("smollm2.json");
    let chat = smollm();
    for case in reference["logits"].as_array().unwrap() {
        let ids: Vec<u32> = case["prompt_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as u32)
            .collect();
        let prompt = case["prompt"].as_str().unwrap();
        assert_eq!(chat.tokenizer.encode(prompt), ids, "prompt ids");
        let mut cache = chat.model.new_cache();
        let logits = chat
            .model
            .forward(&mut [(&mut cache, ids.as_slice())])
            .remove(0);
        assert_eq!(
            argmax(&logits) as u64,
            case["argmax"].as_u64().unwrap(),
            "argmax for {:?}",
            case["user"]
        );
        let mut worst = 0f32;
        for pair in case["top"]
            .as_array()
            .unwrap()
            .iter()
            .chain(case["fixed"].as_array().unwrap())
        {
            let (id, want) = (
                pair[0].as_u64().unwrap() as usize,
                pair[1].as_f64().unwrap() as f32,
            );
            worst = worst.max((logits[id] - want).abs());
        }
        assert!(
            worst < 0.02,
            "{:?}: logits differ by up to {worst}",
            case["user"]
        );
        // Greedy continuation: the reference's first tokens.
        let want: Vec<u32> = case["greedy_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as u32)
            .collect();
        let mut got = vec![argmax(&logits)];
        while got.len() < want.len().min(8) {
            let last = *got.last().unwrap();
            let next = chat
                .model
                .forward(&mut [(&mut cache, &[last][..])])
                .remove(0);
            got.push(argmax(&next));
        }
        assert_eq!(
            got,
            want[..got.len()],
            "greedy tokens for {:?}",
            case["user"]
        );
    }
}

/// A prompt longer than one prefill chunk goes in over several engine steps; the answer is the
/// one a single whole-prompt pass gives.
#[tokio::test]
async fn a_long_prompt_is_fed_in_chunks_with_the_same_answer() {
    use gathering::llm::local::chat::PREFILL_CHUNK;
    use gathering::llm::local::{Device, LocalModels, LocalSettings};
    use gathering::llm::{ChatRequest, Completion, Sampling};

    let chat = smollm();
    let filler = "Gathering runs agents, pipelines and schedules on a single server. ".repeat(40);
    let question = format!("{filler}\nWhat is the capital of Japan?");
    let prompt = chat
        .tokenizer
        .encode(&chatml(&[Message::user(question.as_str())], &[]));
    assert!(prompt.len() > 2 * PREFILL_CHUNK, "{} tokens", prompt.len());
    let mut cache = chat.model.new_cache();
    let mut logits = chat
        .model
        .forward(&mut [(&mut cache, prompt.as_slice())])
        .remove(0);
    let mut whole = Vec::new();
    for _ in 0..8 {
        let next = argmax(&logits);
        if chat.tokenizer.is_special(next) {
            break;
        }
        whole.push(next);
        logits = chat
            .model
            .forward(&mut [(&mut cache, &[next][..])])
            .remove(0);
    }
    let models = LocalModels::new(LocalSettings {
        dir: models_dir(),
        device: Device::Cpu,
        max_batch: 4,
        default_max_tokens: 8,
    });
    let request = ChatRequest {
        sampling: Sampling {
            temperature: Some(0.0),
            max_tokens: Some(8),
            ..Sampling::default()
        },
        ..ChatRequest::default()
    };
    let stream = models.generate(prompt.clone(), &request).await.unwrap();
    let answer = Completion::collect(stream).await.unwrap();
    assert_eq!(answer.text, chat.tokenizer.decode(&whole));
    assert_eq!(answer.usage.prompt_tokens as usize, prompt.len());
}

/// The server's engines on the CPU, loaded on first use.
fn engines() -> std::sync::Arc<gathering::llm::local::LocalModels> {
    use gathering::llm::local::{Device, LocalModels, LocalSettings};
    std::sync::Arc::new(LocalModels::new(LocalSettings {
        dir: models_dir(),
        device: Device::Cpu,
        max_batch: 1,
        default_max_tokens: 8,
    }))
}

fn caller(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

/// 1,024 short texts (about 5,000 tokens): many steps of the embedding engine.
fn many_texts() -> Vec<String> {
    (0..1024).map(|i| format!("note {i}")).collect()
}

/// Polls `done` every few milliseconds until it holds, for at most a minute.
async fn wait_for(mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "gave up waiting");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// A large request whose caller went away is dropped at the next step: the engine embeds at
/// most the step that was running, not the rest of the request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_embedding_request_stops_at_the_next_step() {
    use gathering::llm::local::embed::STEP_TEXTS;
    use std::sync::atomic::Ordering::Relaxed;
    let models = engines();
    models
        .embed_as(caller(9), vec!["load".into()])
        .await
        .unwrap();
    let stats = || models.embed_stats();
    let base = stats().texts.load(Relaxed);
    let big = tokio::spawn({
        let models = models.clone();
        async move { models.embed_as(caller(1), many_texts()).await }
    });
    wait_for(|| stats().texts.load(Relaxed) > base).await;
    big.abort();
    assert!(big.await.unwrap_err().is_cancelled());
    let at_abort = stats().texts.load(Relaxed);
    // The next request is served once the engine has dropped the abandoned one.
    models
        .embed_as(caller(2), vec!["after".into()])
        .await
        .unwrap();
    let since_abort = stats().texts.load(Relaxed) - at_abort;
    assert!(
        since_abort <= STEP_TEXTS as u64 + 1,
        "{since_abort} texts embedded after the caller went away"
    );
    assert!(stats().texts.load(Relaxed) - base < 1024 + 1);
    assert_eq!(stats().cancelled.load(Relaxed), 1);
}

/// While one caller's 1,024 texts are being embedded, another caller's one word is answered
/// before them: the engine takes callers in turn, a step at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_embedding_request_is_not_queued_behind_a_large_one() {
    use std::sync::atomic::Ordering::Relaxed;
    let models = engines();
    models
        .embed_as(caller(9), vec!["load".into()])
        .await
        .unwrap();
    let stats = || models.embed_stats();
    let base = stats().texts.load(Relaxed);
    let big = tokio::spawn({
        let models = models.clone();
        async move { models.embed_as(caller(1), many_texts()).await }
    });
    wait_for(|| stats().texts.load(Relaxed) > base).await;
    let small = models.embed_as(caller(2), vec!["hello".into()]).await;
    assert_eq!(small.unwrap().vectors.len(), 1);
    let embedded = stats().texts.load(Relaxed) - base;
    assert!(
        embedded < 1024,
        "the one word waited for {embedded} texts of the other caller"
    );
    assert!(!big.is_finished());
    big.abort();
}

/// The size bound: a request of more tokens than the engine takes is refused before it runs.
#[tokio::test]
async fn an_oversized_embedding_request_is_refused_before_it_runs() {
    use gathering::llm::LlmError;
    use gathering::llm::local::MAX_EMBED_TOKENS;
    use std::sync::atomic::Ordering::Relaxed;
    let models = engines();
    let long = "the quick brown fox jumps over the lazy dog ".repeat(40);
    let texts = vec![long; MAX_EMBED_TOKENS / 256 + 1];
    match models.embed_as(caller(1), texts).await {
        Err(LlmError::Invalid { field, message }) => {
            assert_eq!(field, "input");
            assert!(message.contains(&MAX_EMBED_TOKENS.to_string()), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(models.embed_stats().texts.load(Relaxed), 0);
}

/// With one place in the chat batch, caller A's second request waits behind caller B's first:
/// the freed place goes to the caller admitted least recently, not to the next in line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_places_go_to_callers_in_turn() {
    use futures_util::{FutureExt, StreamExt};
    use gathering::llm::{ChatRequest, Completion, Delta, Sampling};
    let models = engines();
    let chat = smollm();
    let ask = |question: &str| {
        chat.tokenizer
            .encode(&chatml(&[Message::user(question)], &[]))
    };
    let request = |max: u32| ChatRequest {
        sampling: Sampling {
            temperature: Some(0.0),
            max_tokens: Some(max),
            ..Sampling::default()
        },
        ..ChatRequest::default()
    };
    let mut a1 = models
        .generate_as(caller(1), ask("Count from 1 to 50."), &request(24))
        .await
        .unwrap();
    // A1 is running before the others are sent.
    let first = a1.next().await.unwrap().unwrap();
    assert!(matches!(first, Delta::Text(_)), "{first:?}");
    // A2's prompt takes several steps to feed, so it cannot finish unseen.
    let filler = "Gathering runs agents, pipelines and schedules on a single server. ".repeat(40);
    let mut a2 = models
        .generate_as(caller(1), ask(&filler), &request(8))
        .await
        .unwrap();
    let b = models
        .generate_as(caller(2), ask("What is the capital of Japan?"), &request(4))
        .await
        .unwrap();
    let answer = Completion::collect(b).await.unwrap();
    assert!(answer.finish_reason.is_some());
    // B is done; A2 has not finished (it would have, had it been admitted first).
    let mut a2_finished = false;
    while let Some(Some(item)) = a2.next().now_or_never() {
        a2_finished |= matches!(item, Ok(Delta::Finish(_)));
    }
    assert!(
        !a2_finished,
        "caller A's second request was served before caller B's"
    );
    drop(a1);
    let rest = Completion::collect(a2).await.unwrap();
    assert!(rest.finish_reason.is_some());
}
