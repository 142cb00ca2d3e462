//! The metrics the store and the jobs built on it record, through the
//! `metrics` facade: nothing is kept unless the server installed an
//! exporter (`masthead serve --metrics-listen`, served at `/metrics`).

/// Histogram: reads per meter batch (see `group_commit`).
pub const METER_BATCH: &str = "masthead_meter_batch_reads";
/// Counter: background job runs, by `job` and `outcome` (ok, failed).
pub const JOB_RUNS: &str = "masthead_job_runs_total";

/// Counts one run of a background job (`job` names it: renewals,
/// newsletters, scheduler, meter_trim, search_log_trim) and whether it failed.
pub fn job_ran<T, E>(job: &'static str, ran: &Result<T, E>) {
    let outcome = if ran.is_ok() { "ok" } else { "failed" };
    metrics::counter!(JOB_RUNS, "job" => job, "outcome" => outcome).increment(1);
}
