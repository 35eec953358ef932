import type { AuthRecovery, AuthRecoverySnapshot, RecoveryStateName } from '../../runtime/index.js';

/** Resolves with the snapshot when `auth` reaches `state` (checked on every snapshot, not by polling). */
export function waitForState(auth: AuthRecovery, state: RecoveryStateName): Promise<AuthRecoverySnapshot> {
  return new Promise((resolve) => {
    if (auth.getSnapshot().state === state) return resolve(auth.getSnapshot());
    const unsubscribe = auth.subscribe((snapshot) => {
      if (snapshot.state !== state) return;
      unsubscribe();
      resolve(snapshot);
    });
  });
}
