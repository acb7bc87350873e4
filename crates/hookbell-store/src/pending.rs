//! `Pending`: the answer to a write, ready once the write is on disk. Wait for it from a plain
//! thread with [`Pending::wait`], or `.await` it from async code; no thread is parked for it
//! in the async case.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use tokio::sync::oneshot;

use crate::error::{Result, StoreError};
use crate::writer::Done;

/// A write that the writer thread will answer after its flush.
#[must_use = "a write is only known to be durable once its Pending answer is taken"]
pub struct Pending<T> {
    answer: std::result::Result<oneshot::Receiver<Result<Done>>, StoreError>,
    extract: fn(Done) -> Option<T>,
}

impl<T> Pending<T> {
    pub(crate) fn new(
        answer: oneshot::Receiver<Result<Done>>,
        extract: fn(Done) -> Option<T>,
    ) -> Self {
        Pending {
            answer: Ok(answer),
            extract,
        }
    }

    pub(crate) fn failed(error: StoreError, extract: fn(Done) -> Option<T>) -> Self {
        Pending {
            answer: Err(error),
            extract,
        }
    }

    fn finish(
        extract: fn(Done) -> Option<T>,
        done: std::result::Result<Result<Done>, oneshot::error::RecvError>,
    ) -> Result<T> {
        let done = done.map_err(|_| StoreError::Closed)??;
        extract(done).ok_or_else(|| StoreError::Corrupt {
            key: "writer".into(),
            reason: "the writer answered with another op's result".into(),
        })
    }

    /// Blocks until the write is durable. Do not call from async code: `.await` it there.
    pub fn wait(self) -> Result<T> {
        let answer = self.answer?;
        Self::finish(self.extract, answer.blocking_recv())
    }
}

impl<T: Send + 'static> IntoFuture for Pending<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let extract = self.extract;
        Box::pin(async move {
            let answer = self.answer?;
            Self::finish(extract, answer.await)
        })
    }
}
