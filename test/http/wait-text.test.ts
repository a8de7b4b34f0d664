// How long to wait, as a shopper reads it: never shorter than the true wait (they would be refused
// again), never more than a minute longer (3601 s is "1 hour 1 minute", not "2 hours").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitText } from '../../src/http/replies.ts';

test('wait text: seconds under 2 minutes, then minutes rounded up, then hours and minutes — 3601 s is "1 hour 1 minute", not "2 hours"', () => {
  const cases: [number, string, string][] = [
    [1, '1 second', '1 секунду'],
    [60, '60 seconds', '60 секунд'],
    [119, '119 seconds', '119 секунд'],
    [120, '2 minutes', '2 минуты'],
    [121, '3 minutes', '3 минуты'],
    [3540, '59 minutes', '59 минут'],
    [3541, '1 hour', '1 час'],
    [3600, '1 hour', '1 час'],
    [3601, '1 hour 1 minute', '1 час 1 минуту'],
    [3660, '1 hour 1 minute', '1 час 1 минуту'],
    [5400, '1 hour 30 minutes', '1 час 30 минут'],
    [7199, '2 hours', '2 часа'],
    [7201, '2 hours 1 minute', '2 часа 1 минуту'],
    [5 * 3600 + 22 * 60, '5 hours 22 minutes', '5 часов 22 минуты'],
    [21 * 3600 + 60, '21 hours 1 minute', '21 час 1 минуту'],
    [86_400, '24 hours', '24 часа'],
  ];
  for (const [seconds, en, ru] of cases) {
    assert.equal(waitText(seconds, 'en'), en, `${seconds} s in English`);
    assert.equal(waitText(seconds, 'ru'), ru, `${seconds} s in Russian`);
  }
  // The promise behind the rule, over every second of a day.
  for (let seconds = 120; seconds <= 86_400; seconds++) {
    const [first = '', second] = waitText(seconds, 'en').split(' hour');
    const hours = second === undefined ? 0 : Number(first);
    const minutes = Number(/(\d+) minute/.exec(waitText(seconds, 'en'))?.[1] ?? 0);
    const shown = hours * 3600 + minutes * 60;
    assert.ok(shown >= seconds && shown - seconds < 60, `${seconds} s shown as ${waitText(seconds, 'en')}`);
  }
});
