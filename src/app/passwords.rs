//! Password hashing with argon2id.
//!
//! Production parameters follow OWASP's argon2id recommendation (19 MiB, 2 passes). Only
//! `MM_SERVICEENVIRONMENT=test` selects cheap parameters, so test suites stay fast while
//! benchmarks and production pay the real cost. Hashing runs on the blocking pool behind a
//! semaphore, so a login storm cannot exhaust memory or starve the async workers.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::config::ServiceEnvironment;

#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    workers: Workers,
    /// A hash of a random password with the same parameters: verifying against it costs what a
    /// real verify costs, so unknown accounts take as long as wrong passwords.
    decoy: String,
    /// Recent verify duration in microseconds (for equal-time rejections without hashing).
    recent_verify_us: AtomicU64,
}

impl PasswordHasher {
    pub fn new(environment: ServiceEnvironment) -> Self {
        Self::with_params(Self::params_for(environment))
    }

    pub fn params_for(environment: ServiceEnvironment) -> Params {
        match environment {
            ServiceEnvironment::Test => Params::new(256, 1, 1, None),
            _ => Params::new(19 * 1024, 2, 1, None),
        }
        .expect("static argon2 parameters are valid")
    }

    pub fn with_params(params: Params) -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let decoy = hash_with(&params, &crate::id::new_id()).expect("hashing a random password");
        Self {
            inner: Arc::new(Inner {
                params,
                workers: Workers::start(threads),
                decoy,
                recent_verify_us: AtomicU64::new(0),
            }),
        }
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$m=...`).
    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let params = self.inner.params.clone();
        let password = password.to_string();
        self.inner
            .workers
            .run(move || hash_with(&params, &password))
            .await
            .unwrap_or_else(|| Err(anyhow::anyhow!("password hashing threads stopped")))
    }

    /// Verifies `password` against a stored PHC string. A malformed or empty hash never matches.
    pub async fn verify(&self, password: &str, stored: &str) -> bool {
        let password = password.to_string();
        let is_decoy = stored.is_empty();
        let stored = if is_decoy {
            // Accounts without a password still cost a full verify.
            self.inner.decoy.clone()
        } else {
            stored.to_string()
        };
        let started = Instant::now();
        let ok = self
            .inner
            .workers
            .run(move || verify_with(&password, &stored))
            .await
            .unwrap_or(false);
        let took = started.elapsed().as_micros() as u64;
        let previous = self.inner.recent_verify_us.load(Ordering::Relaxed);
        let smoothed = if previous == 0 {
            took
        } else {
            (previous * 7 + took) / 8
        };
        self.inner
            .recent_verify_us
            .store(smoothed, Ordering::Relaxed);
        ok && !is_decoy
    }

    /// Spends a real verify on the decoy hash (unknown account).
    pub async fn verify_decoy(&self, password: &str) {
        let _ = self.verify(password, "").await;
    }

    /// Waits about as long as a verify takes, without using the CPU (throttled attempts).
    pub async fn equal_delay(&self) {
        let us = self
            .inner
            .recent_verify_us
            .load(Ordering::Relaxed)
            .max(1_000);
        tokio::time::sleep(Duration::from_micros(us)).await;
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of long-lived hashing threads, one per core. Long-lived threads keep argon2's
/// 19 MiB working memory mapped between verifies (the blocking pool hands each verify to an
/// arbitrary thread, and glibc then returns and re-faults that memory: about 10% of a hash),
/// and a fixed count bounds memory and CPU under a login storm. The threads exit when the
/// hasher is dropped.
struct Workers {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

impl Workers {
    fn start(threads: usize) -> Self {
        let (sender, receiver) = std::sync::mpsc::channel::<Job>();
        let receiver = Arc::new(std::sync::Mutex::new(receiver));
        for index in 0..threads.max(1) {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{index}"))
                .spawn(move || loop {
                    let job = match receiver.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a password hashing thread");
            }
        }
        Self {
            jobs: std::sync::Mutex::new(sender),
        }
    }

    /// Runs `work` on a hashing thread; `None` if the threads are gone.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs.lock().ok()?.send(job).ok()?;
        result.await.ok()
    }
}

fn hash_with(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

thread_local! {
    /// argon2's working memory, kept per hashing thread: allocating 19 MiB per verify costs
    /// thousands of page faults (about a quarter of a verify); reusing it costs none.
    static WORK_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn verify_with(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    // Parameters come from the stored hash, so old hashes keep verifying after a change.
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut computed = vec![0u8; expected.len()];
    let hashed = WORK_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon.hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut computed,
            &mut memory[..blocks],
        )
    });
    if hashed.is_err() {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&computed).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let hasher = PasswordHasher::new(ServiceEnvironment::Test);
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hasher.verify("correct horse", &hash).await);
        assert!(!hasher.verify("wrong", &hash).await);
        assert!(!hasher.verify("correct horse", "not a hash").await);
        assert!(!hasher.verify("", "").await);
    }

    #[test]
    fn reused_memory_verify_agrees_with_the_reference_verifier() {
        use argon2::password_hash::PasswordVerifier;
        // Different memory sizes, lanes and versions in a row on one thread: the buffer is
        // resized and reused without leaking state between verifies.
        let cases = [
            (Params::new(64, 1, 1, None).unwrap(), Version::V0x13),
            (Params::new(512, 2, 2, None).unwrap(), Version::V0x13),
            (Params::new(128, 3, 1, Some(16)).unwrap(), Version::V0x10),
            (Params::new(64, 1, 1, None).unwrap(), Version::V0x13),
        ];
        for (params, version) in cases {
            let salt = SaltString::generate(&mut OsRng);
            let stored = Argon2::new(Algorithm::Argon2id, version, params)
                .hash_password(b"s3cret pass", &salt)
                .unwrap()
                .to_string();
            let parsed = PasswordHash::new(&stored).unwrap();
            assert!(Argon2::default()
                .verify_password(b"s3cret pass", &parsed)
                .is_ok());
            assert!(verify_with("s3cret pass", &stored), "{stored}");
            assert!(!verify_with("s3cret pasS", &stored), "{stored}");
            assert!(!verify_with("", &stored), "{stored}");
        }
        assert!(!verify_with(
            "x",
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$"
        ));
        assert!(!verify_with("x", "$argon2id$v=19$m=64,t=1,p=1"));
    }

    #[test]
    fn production_parameters_are_owasp_strength() {
        let params = PasswordHasher::params_for(ServiceEnvironment::Production);
        assert!(params.m_cost() >= 19 * 1024);
        assert!(params.t_cost() >= 2);
        let test = PasswordHasher::params_for(ServiceEnvironment::Test);
        assert!(test.m_cost() < params.m_cost());
    }
}
