import { describe, expect, it } from 'vitest';
import { backoffMs, SseParser, type SseEvent } from '../src/lib/sse';

function feedAll(chunks: string[]): SseEvent[] {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c));
}

const stream =
  ': keep-alive\n\n' +
  'event: alert\ndata: {"id":"01A"}\n\n' +
  'event: stats\ndata: {"total":1,\ndata: "unread":1}\n\n' +
  ':\n\n' +
  'event: deleted\r\ndata: {"id":"01B"}\r\n\r\n' +
  'event: lagged\rdata: {"missed":3}\r\r';

const expected: SseEvent[] = [
  { event: 'alert', data: '{"id":"01A"}' },
  { event: 'stats', data: '{"total":1,\n"unread":1}' },
  { event: 'deleted', data: '{"id":"01B"}' },
  { event: 'lagged', data: '{"missed":3}' },
];

describe('SseParser', () => {
  it('parses a whole stream', () => {
    expect(feedAll([stream])).toEqual(expected);
  });

  it('gives the same events however the stream is split', () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(feedAll([stream.slice(0, i), stream.slice(i)])).toEqual(expected);
    }
    expect(feedAll([...stream])).toEqual(expected);
  });

  it('splits between CR and LF without inventing an empty line', () => {
    expect(feedAll(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('ignores comments, keep-alives and unknown fields, and skips events without data', () => {
    expect(feedAll([':ping\n\nretry: 1000\nfoo: bar\n\nevent: x\n\n'])).toEqual([]);
  });

  it('keeps an incomplete event until its blank line arrives', () => {
    const p = new SseParser();
    expect(p.push('event: alert\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'alert', data: '{"a":1}' }]);
  });

  it('handles a field without a colon, a value without the space, and ids', () => {
    expect(feedAll(['data\nid: 7\ndata:x\n\n'])).toEqual([{ event: 'message', data: '\nx', id: '7' }]);
  });

  it('resets the event name after each dispatch', () => {
    expect(feedAll(['event: alert\ndata: 1\n\ndata: 2\n\n'])).toEqual([
      { event: 'alert', data: '1' },
      { event: 'message', data: '2' },
    ]);
  });
});

describe('backoffMs', () => {
  it('doubles from 1 s and stops at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
