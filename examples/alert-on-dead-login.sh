#!/bin/sh
# Alerts when a person has to log in: `oauth-recovery status` exits 3 when the refresh token is
# known dead and nothing fresher exists (even while the access token still works), or when
# there is no usable login at all. Run it from cron or a systemd timer (docs/operations.md).
#
#   ALERT_COMMAND   run as `$ALERT_COMMAND "<message>"` when a login is needed
#                   (default: `logger -p user.crit -t oauth-recovery`, i.e. syslog/journald)
#   OAUTH_RECOVERY  how to run the CLI (default: `oauth-recovery`)
#
# Extra arguments go to `status` (e.g. --store, --profile). Exits with status's exit code, so
# a systemd `OnFailure=` or cron's mail also fires on 1 (failure) and 4 (cooldown).
OAUTH_RECOVERY=${OAUTH_RECOVERY:-oauth-recovery}
ALERT_COMMAND=${ALERT_COMMAND:-logger -p user.crit -t oauth-recovery}

# shellcheck disable=SC2086 # both variables are commands with arguments
report=$($OAUTH_RECOVERY status "$@" 2>&1)
code=$?
if [ "$code" -eq 3 ]; then
  why=$(printf '%s\n' "$report" | sed -n 's/^login        NEEDED: //p; s/^next         //p' | head -n 1)
  # shellcheck disable=SC2086
  $ALERT_COMMAND "Anthropic login needed on $(hostname): ${why:-no usable credential}"
fi
exit "$code"
