#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring Secret Service,
# whose keyring lives in a temporary XDG_DATA_HOME (a keyring made with another password stays locked).
set -euo pipefail
if [ -z "${BROKER_KEYRING_INNER:-}" ]; then
  keyring_home=$(mktemp -d)
  trap 'rm -rf "$keyring_home"' EXIT
  # dbus-daemon warns that it cannot raise its fd limit when not root-capable; that line is noise.
  XDG_DATA_HOME="$keyring_home" BROKER_KEYRING_INNER=1 dbus-run-session -- "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
  exit $?
fi
unset BROKER_KEYRING_INNER
eval "$(printf 'broker-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
