/**
 * Embedding oauth-recovery in an agent runtime: the README's example, kept runnable.
 * `callAnthropic` is whatever your runtime uses; it only has to throw the API's 401/403
 * (an object with `status`, or the JSON error body) for withAuth to recover and retry.
 */
import { CooldownError, createAuthRecovery } from 'oauth-recovery';

export async function runAgentTurn(callAnthropic: (accessToken: string) => Promise<string>): Promise<string> {
  const auth = createAuthRecovery(); // our own store (or openclaw ≤ 2026.6's auth-profiles.json), profile anthropic:claude-cli
  await auth.start();
  try {
    return await auth.withAuth((token) => callAnthropic(token)); // refresh/sync/retry happen inside
  } catch (error) {
    if (error instanceof CooldownError) return `paused until ${new Date(error.until).toISOString()}`;
    throw error;
  } finally {
    await auth.stop();
  }
}
