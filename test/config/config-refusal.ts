// The one way config tests read a refusal: loadConfig must throw a ConfigError of one line.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

/** The one-line message loadConfig refuses `env` with (fails the test when it is accepted). */
export function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, not ${String(error)}`);
    assert.ok(!error.message.includes('\n'), 'one line');
    return error.message;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}
