#!/usr/bin/env bash
# The package as a new user gets it: `npm pack` in a clean copy of the tracked files (its
# `prepack` builds dist/), the tarball installed into a fresh project (optional peers NOT
# installed), then used there: import the entry, the CLI's --help, the offline demo, status on
# an empty home, the inspector's clear error without its optional peer, and the README's example
# compiled with noUnusedLocals against the installed types.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "pack: $*" >&2; exit 1; }
export npm_config_update_notifier=false

echo "== pack: a clean copy of the tracked files (no dist/, no build output)"
mkdir "$work/copy"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c 'test ! -e "{}" || printf "%s\0" "{}"' \
  | tar --null -T - -cf -) | tar -xf - -C "$work/copy"
test ! -e "$work/copy/dist" || fail "the clean copy has a dist/"
# The lockfile's packages, as CI installed them: only the build tools are needed here.
ln -s "$root/node_modules" "$work/copy/node_modules"
(cd "$work/copy" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball="$(ls "$work"/oauth-recovery-*.tgz)"
listing="$(tar -tzf "$tarball")"
for required in package/dist/src/index.js package/dist/src/index.d.ts package/dist/src/cli/main.js \
  package/dist/machines/index.js package/LICENSE package/README.md package/examples/embed-in-agent.ts; do
  grep -qx "$required" <<<"$listing" || fail "the tarball lacks $required"
done
if grep -E '\.map$|\.png$|write-diagram' <<<"$listing"; then fail "the tarball ships source maps, images or a dev script"; fi
echo "   $(wc -l <<<"$listing") files, $(du -k "$tarball" | cut -f1) KiB"

echo "== pack: install the tarball into a fresh project"
app="$work/app"
mkdir -p "$app/home"
printf '{ "name": "pack-check", "private": true, "type": "module" }\n' >"$app/package.json"
(cd "$app" && npm install --silent --no-audit --no-fund "$tarball")
test ! -e "$app/node_modules/@statelyai/inspect" || fail "the optional peer @statelyai/inspect was installed"
test ! -e "$app/node_modules/pino-pretty" || fail "the optional peer pino-pretty was installed"
echo "   $(cd "$app" && npm ls --all --parseable | tail -n +2 | sort -u | wc -l) packages, $(du -sk "$app/node_modules" | cut -f1) KiB in node_modules"

echo "== pack: use it"
cd "$app"
node --input-type=module -e "
  const lib = await import('oauth-recovery');
  const machine = await import('oauth-recovery/machine');
  for (const name of ['createAuthRecovery', 'CooldownError', 'MissingDependencyError']) {
    if (typeof lib[name] !== 'function') throw new Error('oauth-recovery lacks ' + name);
  }
  if (typeof machine.createRecoveryMachine !== 'function') throw new Error('oauth-recovery/machine lacks createRecoveryMachine');
"
export HOME="$app/home" XDG_CONFIG_HOME="$app/home/.config" OPENCLAW_STATE_DIR="$app/home/.openclaw"
unset CLAUDE_CONFIG_DIR OAUTH_RECOVERY_STORE OAUTH_RECOVERY_TOKEN_URL
npx --no-install oauth-recovery --help | grep -q 'Usage: oauth-recovery' || fail "--help"
npx --no-install oauth-recovery demo >/dev/null || fail "the demo did not end as expected"
set +e
npx --no-install oauth-recovery status --json >"$work/status.json"
status=$?
npx --no-install oauth-recovery inspect --stately --port 0 2>"$work/inspect.err" >/dev/null
inspect=$?
set -e
node -e "JSON.parse(require('fs').readFileSync('$work/status.json', 'utf8'))" || fail "status --json did not print JSON (exit $status)"
[ "$inspect" -ne 0 ] && grep -q 'npm install @statelyai/inspect' "$work/inspect.err" \
  || fail "inspect --stately without its peer: exit $inspect, $(cat "$work/inspect.err")"

echo "== pack: the README's example compiles against the installed types (noUnusedLocals)"
cp node_modules/oauth-recovery/examples/embed-in-agent.ts .
cat >tsconfig.json <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
  "noUnusedLocals": true, "noUnusedParameters": true, "noEmit": true, "skipLibCheck": false,
  "typeRoots": ["$root/node_modules/@types"], "types": ["node"] }, "files": ["embed-in-agent.ts"] }
JSON
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json || fail "the example does not compile"
echo "pack: ok (status --json exit $status)"
