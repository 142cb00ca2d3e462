//! How long the access decision takes, for the readers a story page meets:
//! a drive-by visitor under the meter, one over it, a re-read at the limit,
//! a subscriber with every benefit, and a story past the archive age.
//!
//! `cargo bench -p masthead-domain --bench access -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use masthead_domain::access::AllowReason::Subscriber;
use masthead_domain::access::BlockReason::{ArchiveOnly, MeterExhausted};
use masthead_domain::access::{Access, Benefit, Meter, Reader, ReaderKind, Story, decide};

const LIMIT: u32 = 10;
const FREE: Story = Story { premium: false, premium_section: false, archived: false };
const PREMIUM: Story = Story { premium: true, premium_section: false, archived: false };
const ARCHIVED: Story = Story { premium: false, premium_section: false, archived: true };

fn meter(used: u32, already_read: bool) -> Meter {
    Meter { used, already_read, limit: LIMIT }
}

fn decisions(c: &mut Criterion) {
    let visitor = Reader::visitor();
    let subscriber = Reader { kind: ReaderKind::Registered, benefits: Benefit::ALL.to_vec() };
    // (name, reader, story, meter, the decision the site must give)
    let cases = [
        ("anonymous under the meter", &visitor, FREE, meter(3, false), Access::Metered { used: 4, limit: LIMIT }),
        ("anonymous over the meter", &visitor, FREE, meter(LIMIT, false), Access::Blocked { reason: MeterExhausted }),
        (
            "anonymous re-read at the limit",
            &visitor,
            FREE,
            meter(LIMIT, true),
            Access::Metered { used: LIMIT, limit: LIMIT },
        ),
        ("subscriber, premium story", &subscriber, PREMIUM, meter(0, false), Access::Allowed { reason: Subscriber }),
        ("anonymous, archive-age story", &visitor, ARCHIVED, meter(0, false), Access::Blocked { reason: ArchiveOnly }),
    ];
    let mut group = c.benchmark_group("decide");
    for (name, reader, story, meter, expected) in cases {
        // The bench measures the answer the site gives, not a shortcut.
        assert_eq!(decide(reader, story, meter), expected, "{name}");
        group.bench_function(name, |b| b.iter(|| decide(black_box(reader), black_box(story), black_box(meter))));
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
