//! Audit log cost, measured with criterion (`make bench`).
//!
//! - `append_durable`: one record appended and committed on its own (WAL, `synchronous=FULL`).
//! - `verify_100k`: walking a chain of 100,000 records; the summary gives records per second.

mod common;

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use criterion::{criterion_group, Criterion};
use serde_json::json;
use slate_core::audit::{AuditEvent, AuditKey, Event, Stamp};
use slate_core::store::Store;

const RECORDS: u64 = 100_000;

fn stamp() -> Stamp {
    Stamp {
        at: DateTime::from_timestamp(1_790_000_000, 0).expect("an instant"),
        offset: FixedOffset::east_opt(3600).expect("an offset"),
        terminal: "library-1".into(),
    }
}

fn event(i: u64) -> AuditEvent {
    AuditEvent::new(
        Event::SignOut,
        json!({ "reason": "idle", "erased": true, "wiped_items": i % 50, "wiped_bytes": i * 10 }),
    )
    .user(Some("ana"))
    .session("0123456789abcdef0123456789abcdef")
    .duration_ms(Some(300_000))
}

fn audit(c: &mut Criterion) {
    let key = AuditKey::from_bytes([9; 32]);
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(&tmp.path().join("slate.db")).expect("a store");
    let mut g = c.benchmark_group("audit");
    g.sample_size(30);
    let mut i = 0;
    g.bench_function("append_durable", |b| {
        b.iter(|| {
            i += 1;
            store
                .audit_append(&key, &stamp(), &event(i))
                .expect("appended");
        });
    });
    // Fill to RECORDS in one transaction (setup, untimed).
    let have = store.audit_verify(&key, None).expect("intact").records;
    store
        .atomically(|s| {
            for n in have..RECORDS {
                s.audit_append(&key, &stamp(), &event(n))?;
            }
            Ok::<(), slate_core::store::StoreError>(())
        })
        .expect("filled");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.bench_function("verify_100k", |b| {
        b.iter(|| {
            let r = store.audit_verify(&key, None).expect("intact");
            assert_eq!(r.records, RECORDS);
        });
    });
    g.finish();
}

criterion_group!(benches, audit);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let (Some(append), Some(verify)) = (
        common::median_ms("audit", "append_durable"),
        common::median_ms("audit", "verify_100k"),
    ) else {
        return;
    };
    #[allow(clippy::cast_precision_loss)]
    let per_second = RECORDS as f64 / (verify / 1000.0);
    let summary = format!(
        "| measure | median |\n|---|---|\n\
         | durable append of one record | {append:.2} ms |\n\
         | verify 100,000 records | {verify:.1} ms |\n\n\
         verify speed: **{per_second:.0} records/s** (target ≥ 1,000,000)\n"
    );
    common::write_summary("audit", &summary);
}
