/** The home's two token stores, as the environment chooses them: the OS keychain, and the encrypted file with this passphrase. */
export function homeStoreBackends(passphrase: string): Array<[string, Record<string, string | undefined>]> {
  return [
    ['keychain', { BROKER_STORE: undefined }],
    ['file', { BROKER_STORE: 'file', BROKER_PASSPHRASE: passphrase }],
  ];
}
