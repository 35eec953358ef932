/**
 * The one parser of a persisted `lastFailure` (src/store/last-failure.ts), shared by the
 * runtime at start-up and by `status`/`doctor`: never throws, clamps its numbers, drops a
 * malformed optional field, masks the message again. Values as the lossless store parser
 * hands them over (`1e300` arrives as a LosslessNumber).
 */
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, readLastFailure } from '../../src/store/last-failure.js';
import { parseLosslessJson } from '../../src/store/lossless-json.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
/** A stored value, read back the way the file store reads it. */
const stored = (json: string): unknown => parseLosslessJson(json);

describe('readLastFailure', () => {
  it('reads the shape the runtime writes, field for field', () => {
    const failure = {
      at: NOW - 60_000,
      kind: 'permanent',
      httpStatus: 400,
      oauthError: 'invalid_grant',
      contentType: 'application/json',
      message: 'token endpoint answered HTTP 400 invalid_grant',
    };
    expect(readLastFailure(stored(JSON.stringify(failure)), NOW)).toEqual(failure);
    const store = { at: NOW - 1, kind: 'store', causeCode: 'ENOSPC', message: 'disk full' };
    expect(readLastFailure(store, NOW)).toEqual(store);
  });

  it.each([
    ['1e300 (a LosslessNumber)', '1e300', NOW],
    ['a time after now', String(NOW + 5_000), NOW],
    ['-1e20', '-1e20', 0],
    ['a fraction', '1.6', 2],
  ])('clamps at = %s into [0, now]', (_, at, expected) => {
    expect(readLastFailure(stored(`{"at":${at},"kind":"transient","message":"x"}`), NOW)?.at).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['a string', 'boom'],
    ['at as a string', { at: 'yesterday', kind: 'permanent', message: 'x' }],
    ['an unknown kind', { at: NOW, kind: 'doom', message: 'x' }],
    ['no kind', { at: NOW, message: 'x' }],
  ])('is undefined when %s', (_, value) => {
    expect(readLastFailure(value, NOW)).toBeUndefined();
  });

  it('drops a malformed optional field and keeps the rest', () => {
    const failure = readLastFailure(
      stored(
        '{"at":1,"kind":"transient","httpStatus":1e300,"oauthError":"bad code!","contentType":7,"causeCode":"ECONNRESET","message":3}',
      ),
      NOW,
    );
    expect(failure).toEqual({ at: 1, kind: 'transient', causeCode: 'ECONNRESET', message: '' });
    expect(
      readLastFailure({ at: 1, kind: 'transient', httpStatus: 99, message: 'm' }, NOW),
    ).not.toHaveProperty('httpStatus');
  });

  it('masks a token-shaped message and cuts it to the maximum length', () => {
    const failure = readLastFailure(
      { at: 1, kind: 'permanent', message: `refused sk-ant-ort01-${'a'.repeat(40)} ${'x'.repeat(500)}` },
      NOW,
    );
    expect(failure?.message).not.toContain('aaaa');
    expect(failure?.message).toContain('sk-ant-***');
    expect(failure?.message.length).toBe(MAX_MESSAGE_LENGTH);
  });
});
