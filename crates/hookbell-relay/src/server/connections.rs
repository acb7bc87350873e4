//! The connection limit: at most `[limits] max_connections` connections open at once on this
//! node (a desktop's stream is one for as long as it lasts). Past it, a new connection is
//! answered `503` with `Retry-After` and closed.
//!
//! Neither tower nor tower-http has a per-connection limit (their layers see requests, and a
//! stream is one request that lasts for hours while idle keep-alive connections are none),
//! and axum-server has no setting for it; an [`Accept`] wrapper holding a semaphore permit
//! for the connection's lifetime is the place: the permit goes when hyper drops the
//! connection's I/O.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::RelayState;

/// What a connection past the limit is sent before it is closed.
const REFUSAL: &str =
    "{\"error\":\"this relay has as many connections as it takes; retry shortly\"}";

/// How long a refused connection may take to be told (and, with TLS, to shake hands).
const REFUSAL_DEADLINE: Duration = Duration::from_secs(1);

/// An acceptor that lets `inner` accept a connection while fewer than the limit are open.
#[derive(Clone)]
pub struct ConnectionLimit<A> {
    inner: A,
    permits: Arc<Semaphore>,
    state: RelayState,
}

impl<A> ConnectionLimit<A> {
    /// Limits `inner` to the permits of `state`'s connection semaphore.
    pub fn new(inner: A, state: &RelayState) -> Self {
        ConnectionLimit {
            inner,
            permits: Arc::clone(&state.inner.connections),
            state: state.clone(),
        }
    }
}

impl<I, S, A> Accept<I, S> for ConnectionLimit<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
    A::Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    A::Service: Send + 'static,
{
    type Stream = Limited<A::Stream>;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let permit = Arc::clone(&self.permits).try_acquire_owned().ok();
        let state = self.state.clone();
        let accepted = self.inner.accept(stream, service);
        Box::pin(async move {
            let Some(permit) = permit else {
                state
                    .metrics()
                    .refused_connections
                    .fetch_add(1, Ordering::Relaxed);
                let _ = tokio::time::timeout(REFUSAL_DEADLINE, refuse(accepted)).await;
                return Err(io::Error::other("the connection limit is reached"));
            };
            let (stream, service) = accepted.await?;
            Ok((
                Limited {
                    inner: stream,
                    _permit: permit,
                },
                service,
            ))
        })
    }
}

/// Answers 503 with `Retry-After` on a connection past the limit, then reads what the client
/// sent meanwhile (closing with unread data would reset the connection before the client
/// reads the answer).
async fn refuse<F, T, S>(accepted: F) -> io::Result<()>
where
    F: Future<Output = io::Result<(T, S)>>,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let (mut stream, _service) = accepted.await?;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{REFUSAL}",
        REFUSAL.len()
    );
    stream.write_all(answer.as_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await?;
    let mut sink = [0u8; 4096];
    let mut read = 0;
    while read < 64 * 1024 {
        match stream.read(&mut sink).await? {
            0 => break,
            n => read += n,
        }
    }
    Ok(())
}

/// A connection's I/O, holding its place under the limit until dropped.
pub struct Limited<T> {
    inner: T,
    _permit: OwnedSemaphorePermit,
}

impl<T: AsyncRead + Unpin> AsyncRead for Limited<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Limited<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
