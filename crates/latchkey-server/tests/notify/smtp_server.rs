//! A tiny SMTP server for the delivery tests: greeting, EHLO/HELO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT. It records accepted messages and can refuse
//! the next N with a 451 (for now) or a 550 (for good).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, dot-stuffing undone, without the terminator.
    pub data: String,
}

#[derive(Debug, Default)]
pub struct ServerState {
    received: Mutex<Vec<Received>>,
    refuse_next: AtomicUsize,
    refused: AtomicUsize,
    /// Refuse the next N for good (550) instead of for now (451).
    reject_next: AtomicUsize,
}

#[derive(Debug)]
pub struct SmtpServer {
    pub port: u16,
    state: Arc<ServerState>,
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("binding the SMTP server");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(ServerState::default());
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = smtp_session(stream, &state).await;
                });
            }
        });
        Self { port, state, task }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    pub fn refuse_next(&self, n: usize) {
        self.state.refuse_next.store(n, Ordering::SeqCst);
    }

    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::SeqCst)
    }

    pub fn reject_next(&self, n: usize) {
        self.state.reject_next.store(n, Ordering::SeqCst);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn angle_address(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg.find('>').unwrap_or(arg.len());
    arg[start..end].to_owned()
}

async fn smtp_session(stream: TcpStream, state: &ServerState) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 smtp.test ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']).to_owned();
        let verb = command.to_ascii_uppercase();
        let reply: &[u8] = if verb.starts_with("EHLO") {
            b"250-smtp.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if verb.starts_with("HELO") {
            b"250 smtp.test\r\n"
        } else if verb.starts_with("MAIL FROM:") {
            from = angle_address(&command);
            to.clear();
            b"250 2.1.0 ok\r\n"
        } else if verb.starts_with("RCPT TO:") {
            to.push(angle_address(&command));
            b"250 2.1.5 ok\r\n"
        } else if verb == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if read.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            // The CRLF before the final dot belongs to the terminator.
            if data.ends_with("\r\n") {
                data.truncate(data.len() - 2);
            }
            let refuse = state
                .refuse_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            let reject = state
                .reject_next
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if reject {
                state.refused.fetch_add(1, Ordering::SeqCst);
                b"550 5.1.1 ada@example.com: no such mailbox\r\n"
            } else if refuse {
                state.refused.fetch_add(1, Ordering::SeqCst);
                b"451 4.3.0 ada@example.com: try again later\r\n"
            } else {
                state.received.lock().unwrap().push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 2.0.0 queued\r\n"
            }
        } else if verb == "RSET" {
            to.clear();
            b"250 2.0.0 ok\r\n"
        } else if verb.starts_with("NOOP") {
            b"250 2.0.0 ok\r\n"
        } else if verb == "QUIT" {
            write.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}
