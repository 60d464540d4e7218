//! Message bodies: DATA (dot-stuffed, up to CRLF.CRLF) and BDAT chunks (counted), streamed as chunks.

use super::error::reply;
use super::event::Event;
use super::state::{Chunk, DataBody, Phase, Sink, Step};
use super::{Protocol, ServerSession};

impl ServerSession {
    /// Decodes what the input holds of the current body.
    pub(crate) fn body_step(&mut self) -> Step {
        match &mut self.phase {
            Phase::Data(body) => {
                if !body.finished {
                    let decoded = body.decoder.decode(self.input.pending(), &mut self.chunk);
                    self.input.consume(decoded.consumed);
                    body.finished = decoded.finished;
                    if !body.aborted
                        && self
                            .config
                            .max_message_size
                            .is_some_and(|max| body.decoder.body_len() > max)
                    {
                        body.aborted = true;
                        self.chunk.clear();
                        return Step::Event(Event::DataAborted);
                    }
                    if body.aborted {
                        self.chunk.clear();
                    }
                    if !self.chunk.is_empty() {
                        return Step::Chunk;
                    }
                    if !body.finished {
                        return Step::NeedInput;
                    }
                }
                let Phase::Data(body) = std::mem::replace(&mut self.phase, Phase::Ready) else {
                    return Step::Continue;
                };
                self.data_finished(body)
            }
            Phase::Chunk(chunk) => {
                if !chunk.finished {
                    let decoded = chunk.decoder.decode(self.input.pending(), &mut self.chunk);
                    self.input.consume(decoded.consumed);
                    chunk.finished = decoded.finished;
                    if let Sink::Deliver(tx) = &mut chunk.sink {
                        tx.received += self.chunk.len() as u64;
                        if self
                            .config
                            .max_message_size
                            .is_some_and(|max| tx.received > max)
                        {
                            // Consume the rest of the chunk, answer 552, abandon the transaction.
                            let r = reply(
                                552,
                                (5, 3, 4),
                                "message size exceeds fixed maximum message size",
                            );
                            let then = Box::new(Phase::Ready);
                            chunk.sink = Sink::Discard {
                                reply: Some(r),
                                counts_as_bad: false,
                                then,
                            };
                            self.chunk.clear();
                            return Step::Event(Event::DataAborted);
                        }
                    } else {
                        self.chunk.clear();
                    }
                    if !self.chunk.is_empty() {
                        return Step::Chunk;
                    }
                    if !chunk.finished {
                        return Step::NeedInput;
                    }
                }
                let Phase::Chunk(chunk) = std::mem::replace(&mut self.phase, Phase::Ready) else {
                    return Step::Continue;
                };
                self.chunk_finished(chunk)
            }
            _ => Step::Continue,
        }
    }

    fn data_finished(&mut self, body: DataBody) -> Step {
        let failure = if body.aborted {
            Some(reply(
                552,
                (5, 3, 4),
                "message size exceeds fixed maximum message size",
            ))
        } else {
            body.decoder
                .error()
                .map(|e| reply(554, (5, 6, 0), format!("message refused: {e}")))
        };
        match failure {
            Some(r) => {
                let copies = match self.config.protocol {
                    Protocol::Smtp => 1,
                    Protocol::Lmtp => body.tx.recipients.max(1),
                };
                for _ in 0..copies {
                    r.write_to(&mut self.output);
                }
                if body.aborted {
                    Step::Continue
                } else {
                    Step::Event(Event::DataAborted)
                }
            }
            None => Step::Event(self.data_end_event(&body.tx, body.decoder.body_len(), false)),
        }
    }

    fn chunk_finished(&mut self, chunk: Chunk) -> Step {
        match chunk.sink {
            Sink::Discard {
                reply,
                counts_as_bad,
                then,
            } => {
                self.phase = *then;
                if let Some(r) = reply {
                    if counts_as_bad {
                        self.bad_commands += 1;
                        if self.bad_commands > self.config.max_bad_commands {
                            self.fault_limit();
                            return Step::Continue;
                        }
                    }
                    r.write_to(&mut self.output);
                }
                Step::Continue
            }
            Sink::Deliver(tx) if chunk.last => {
                let size = tx.received;
                Step::Event(self.data_end_event(&tx, size, true))
            }
            Sink::Deliver(tx) => {
                let text = format!("{} octets received", tx.received);
                self.phase = Phase::Envelope(tx);
                self.send(reply(250, (2, 0, 0), text));
                Step::Continue
            }
        }
    }
}
