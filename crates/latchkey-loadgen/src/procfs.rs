//! The server's CPU time and memory, from Linux's /proc.

use std::fs;
use std::process::Command;

/// Clock ticks per second of `utime`/`stime` (USER_HZ): `getconf CLK_TCK`,
/// else 100, which every Linux architecture in use reports.
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

/// `utime + stime` in clock ticks from the text of `/proc/PID/stat`. The
/// command name (field 2) is in parentheses and may hold spaces and
/// parentheses itself, so fields are counted after the last `)`.
pub fn parse_stat_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After the name: state is field 3, utime field 14, stime field 15.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

/// A `kB` value of `/proc/PID/status` (e.g. `VmHWM`, `VmRSS`), in bytes.
pub fn parse_status_kb(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if k != key {
            return None;
        }
        let mut parts = v.split_whitespace();
        let n: u64 = parts.next()?.parse().ok()?;
        match parts.next() {
            Some("kB") | None => Some(n * 1024),
            Some(_) => None,
        }
    })
}

/// A process being measured.
#[derive(Debug, Clone, Copy)]
pub struct ServerProcess {
    pub pid: u32,
    ticks_per_second: u64,
}

/// One reading of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcSample {
    /// User + system CPU time, in microseconds.
    pub cpu_us: u64,
    /// Resident set size now, in bytes.
    pub rss_bytes: u64,
    /// Peak resident set size so far (VmHWM), in bytes.
    pub peak_rss_bytes: u64,
}

impl ServerProcess {
    pub fn new(pid: u32) -> Self {
        Self {
            pid,
            ticks_per_second: clock_ticks_per_second(),
        }
    }

    /// Reads CPU time and memory; fails if the process is gone.
    pub fn sample(&self) -> anyhow::Result<ProcSample> {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .map_err(|e| anyhow::anyhow!("reading /proc/{}/stat: {e}", self.pid))?;
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid))
            .map_err(|e| anyhow::anyhow!("reading /proc/{}/status: {e}", self.pid))?;
        let ticks = parse_stat_cpu_ticks(&stat)
            .ok_or_else(|| anyhow::anyhow!("/proc/{}/stat has no CPU times", self.pid))?;
        Ok(ProcSample {
            cpu_us: ticks * 1_000_000 / self.ticks_per_second,
            rss_bytes: parse_status_kb(&status, "VmRSS").unwrap_or(0),
            peak_rss_bytes: parse_status_kb(&status, "VmHWM").unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (latchkey) S 1 4242 4242 0 -1 4194560 1960 0 0 0 \
        1234 567 0 0 20 0 6 0 123456 123456789 2048 18446744073709551615 \
        1 1 0 0 0 0 0 4096 17987 0 0 0 17 1 0 0 0 0 0";

    #[test]
    fn cpu_ticks_are_utime_plus_stime() {
        assert_eq!(parse_stat_cpu_ticks(STAT), Some(1234 + 567));
    }

    #[test]
    fn a_command_name_with_spaces_and_parentheses_does_not_shift_fields() {
        let odd = STAT.replace("(latchkey)", "(tokio (rt) worker)");
        assert_eq!(parse_stat_cpu_ticks(&odd), Some(1801));
    }

    #[test]
    fn truncated_stat_is_none() {
        assert_eq!(parse_stat_cpu_ticks("4242 (latchkey) S 1 2 3"), None);
        assert_eq!(parse_stat_cpu_ticks("garbage"), None);
    }

    #[test]
    fn status_values_are_read_in_bytes() {
        let status = "Name:\tlatchkey\nVmPeak:\t  900000 kB\nVmHWM:\t   18432 kB\nVmRSS:\t   12000 kB\nThreads:\t6\n";
        assert_eq!(parse_status_kb(status, "VmHWM"), Some(18432 * 1024));
        assert_eq!(parse_status_kb(status, "VmRSS"), Some(12000 * 1024));
        assert_eq!(parse_status_kb(status, "VmSwap"), None);
        // A key that merely starts like another is not it.
        assert_eq!(parse_status_kb("VmHWMx:\t1 kB\n", "VmHWM"), None);
    }

    #[test]
    fn this_process_can_be_sampled() {
        let me = ServerProcess::new(std::process::id());
        let s = me.sample().unwrap();
        assert!(s.rss_bytes > 0 && s.peak_rss_bytes >= s.rss_bytes);
    }
}
