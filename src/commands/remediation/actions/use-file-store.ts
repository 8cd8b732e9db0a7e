import type { ActionExecutor } from '../run-remediation.js';

// Switching stores is the operator's decision (docs/design.md §3: never a silent downgrade), so this only explains.
export const useFileStore: ActionExecutor = async () => ({
  ok: true,
  detail: 'explained how to switch to the encrypted file store',
  output: [
    'The OS keychain cannot be used. To keep going with the encrypted file store instead:',
    '',
    '  export BROKER_STORE=file',
    '  export BROKER_PASSPHRASE=…        # from your secret manager; every broker process needs it',
    '',
    'Then log each connection in again (broker login NAME): secrets in the keychain are not copied.',
    'To repair the keychain instead, unlock it: echo -n PASS | gnome-keyring-daemon --unlock --components=secrets',
  ].join('\n'),
});
