// Runs every test file under node's test runner inside a private D-Bus session with an
// unlocked gnome-keyring, so keychain tests use the real Secret Service.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return /\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('test').sort();
const env = { ...process.env };
// Ink treats CI=true as non-interactive; tests that want the TUI clear it themselves.
const result = spawnSync('scripts/with-keyring.sh', ['node', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
